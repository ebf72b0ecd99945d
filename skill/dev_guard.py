"""Development mode (signature checks off) serves this machine's own programs, nothing else.

However the app is started (``porchlight serve --dev``, gunicorn with PORCHLIGHT_DEV=true
and ``--bind 0.0.0.0``, any WSGI server), every request while dev mode is on must:

- come from a loopback peer, and not through a proxy (``Forwarded``/``X-Forwarded-For``);
- name this machine in ``Host`` (a page that rebinds its name to 127.0.0.1 does not);
- not come from a web page: an ``Origin`` header naming another origin is refused, and a
  POST must say ``Content-Type: application/json`` (a page can send text/plain to any
  address without asking first; it cannot send application/json without a CORS preflight,
  which this server never answers).
"""

from __future__ import annotations

import ipaddress
import json

from flask import Flask, Response, request

PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def peer_is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1)."""
    try:
        ip = ipaddress.ip_address((address or "").strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))


def host_is_loopback(host: str) -> bool:
    """The Host header names this machine (localhost, 127.x, [::1]), with or without a port.

    A web page that rebinds its own name to 127.0.0.1 sends its own name here, and its own
    origin as ``Origin``, so the origin check alone would let it through.
    """
    if host.startswith("["):  # [::1] or [::1]:5000
        name = host[1:host.find("]")] if "]" in host else ""
    else:
        name = host.split(":")[0] if host.count(":") == 1 else host
    name = name.lower()
    return name == "localhost" or name.endswith(".localhost") or peer_is_loopback(name)


def refusal() -> tuple[int, str] | None:
    """(status, reason) when dev mode must not serve the current request; None to serve it."""
    if not peer_is_loopback(request.remote_addr):
        return 403, "development mode serves loopback only"
    if any(name in request.headers for name in PROXY_HEADERS):
        return 403, "development mode does not serve through a proxy"
    if not host_is_loopback(request.host):
        return 403, "development mode answers only to localhost or a loopback address"
    origin = request.headers.get("Origin")
    if origin is not None and origin.rstrip("/") != request.host_url.rstrip("/"):
        return 403, "development mode refuses requests from web pages"
    if request.method == "POST" and request.mimetype != "application/json":
        return 415, "development mode needs Content-Type: application/json"
    return None


def install(app: Flask) -> None:
    """Refuse, before any route runs, every request dev mode must not serve."""

    @app.before_request
    def dev_mode_guard() -> Response | None:
        refused = refusal()
        if refused is None:
            return None
        status, reason = refused
        return Response(json.dumps({"error": "refused", "detail": reason}), status=status,
                        mimetype="application/json")
