"""Fetching a signing chain: one HTTPS GET, bounded in every way an upstream could abuse.

- The host and path come from a ``CertUrl`` (the URL the rules checked), nothing else.
- No redirect is followed: anything but 200 is a failure.
- One deadline for the whole exchange (connect, TLS, request, every read), not per read,
  so an upstream that sends a byte a second cannot hold a worker past it.
- At most ``max_bytes`` of body (64 KiB; Alexa's chains are about 4 KiB).

Where the host is reached is injectable (``resolve``), as is the TLS trust
(``ssl_context``): tests put a fake S3 on loopback behind the real code path.
"""

from __future__ import annotations

import io
import re
import socket
import ssl
import time
from collections.abc import Callable
from http.client import HTTPException, HTTPResponse

import certifi

from skill.cert_url import CertUrl

FETCH_DEADLINE_SECONDS = 2.0
MAX_CHAIN_BYTES = 64 * 1024
MAX_HEADER_BYTES = 16 * 1024
READ_SIZE = 16 * 1024

Resolve = Callable[[str, int], tuple[str, int]]
"""Where to connect for (host, port); the default connects to the host by name."""


class FetchError(OSError):
    """The chain could not be fetched; the message says why (never the body)."""


def by_name(host: str, port: int) -> tuple[str, int]:
    """The default resolver: the host's own name, looked up by the system."""
    return host, port


class _Bytes:
    """What ``HTTPResponse`` needs of a socket, over bytes already received."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self._data)


class ChainFetcher:
    """``fetcher(url) -> bytes``: the body S3 serves at a checked certificate URL."""

    def __init__(self, *, resolve: Resolve = by_name, ssl_context: ssl.SSLContext | None = None,
                 deadline_seconds: float = FETCH_DEADLINE_SECONDS,
                 max_bytes: int = MAX_CHAIN_BYTES) -> None:
        self._resolve = resolve
        self._context = ssl_context or ssl.create_default_context(cafile=certifi.where())
        self.deadline_seconds = deadline_seconds
        self.max_bytes = max_bytes

    def __call__(self, url: CertUrl) -> bytes:
        deadline = time.monotonic() + self.deadline_seconds
        raw = self._exchange(url, deadline)
        return self._body(raw)

    def _exchange(self, url: CertUrl, deadline: float) -> bytes:
        """Everything the server sent, up to the byte cap, within the deadline."""
        request = (f"GET {url.path} HTTP/1.1\r\nHost: {url.host}\r\nAccept: */*\r\n"
                   "User-Agent: porchlight\r\nConnection: close\r\n\r\n").encode("ascii")
        limit = self.max_bytes + MAX_HEADER_BYTES
        received = bytearray()
        address = self._resolve(url.host, url.port)
        with socket.create_connection(address, timeout=_remaining(deadline)) as plain:
            plain.settimeout(_remaining(deadline))
            with self._context.wrap_socket(plain, server_hostname=url.host) as sock:
                sock.settimeout(_remaining(deadline))
                sock.sendall(request)
                while not _complete(received) and (chunk := self._read(sock, deadline)):
                    received += chunk
                    if len(received) > limit:
                        raise FetchError("certificate chain is too large")
        return bytes(received)

    @staticmethod
    def _read(sock: ssl.SSLSocket, deadline: float) -> bytes:
        sock.settimeout(_remaining(deadline))
        try:
            return sock.recv(READ_SIZE)
        except TimeoutError:
            raise FetchError("certificate fetch passed its deadline") from None

    def _body(self, raw: bytes) -> bytes:
        """The body of a 200 answer (chunked or not); any other status is a failure."""
        response = HTTPResponse(_Bytes(raw))  # type: ignore[arg-type]
        try:
            response.begin()
            if response.status != 200:
                followed = " (redirects are not followed)" if 300 <= response.status < 400 else ""
                raise FetchError(f"certificate host answered {response.status}{followed}")
            body = response.read()
        except HTTPException as error:
            raise FetchError(f"certificate host sent a broken answer ({type(error).__name__})"
                             ) from None
        if len(body) > self.max_bytes:
            raise FetchError("certificate chain is too large")
        return body


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d{1,9})[ \t]*\r\n", re.IGNORECASE)


def _complete(received: bytearray) -> bool:
    """True once a Content-Length answer has all its bytes (a server may keep the
    connection open despite ``Connection: close``); otherwise read until it closes."""
    end = received.find(b"\r\n\r\n")
    if end < 0:
        return False
    length = _CONTENT_LENGTH.search(received, 0, end + 2)
    return length is not None and len(received) >= end + 4 + int(length.group(1))


def _remaining(deadline: float) -> float:
    """Seconds left before ``deadline``; FetchError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("certificate fetch passed its deadline")
    return left
