"""Development mode (signature checks off) serves this machine's own programs, nothing else.

However the app is started (``porchlight serve --dev``, gunicorn with PORCHLIGHT_DEV=true
and ``--bind 0.0.0.0``, any WSGI server), every request while dev mode is on must:

- come from a loopback peer, and not through a proxy (``Forwarded``/``X-Forwarded-For``);
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


def refusal() -> tuple[int, str] | None:
    """(status, reason) when dev mode must not serve the current request; None to serve it."""
    if not peer_is_loopback(request.remote_addr):
        return 403, "development mode serves loopback only"
    if any(name in request.headers for name in PROXY_HEADERS):
        return 403, "development mode does not serve through a proxy"
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
