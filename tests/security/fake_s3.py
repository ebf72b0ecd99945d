"""A fake S3 on loopback, over real TLS, for the certificate fetcher's code path.

The fetcher reaches it through its injectable resolver (``s3.amazonaws.com`` -> this
server's loopback port) and trusts it through an injected TLS context, so nothing leaves
the machine. Each path can serve a chain, 404, redirect, drip bytes slowly, hang until
released, or send too much; every request is counted.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization

from tests.signing import _key, make_certificate, pem

if TYPE_CHECKING:
    from skill.cert_fetch import ChainFetcher

S3_HOST = "s3.amazonaws.com"


class FakeS3:
    """Behaviours by path; ``counts[path]`` is how many requests each path got."""

    def __init__(self, folder: Path, now: datetime) -> None:
        self.chains: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}
        self.drips: set[str] = set()
        self.hangs: set[str] = set()
        self.released = threading.Event()
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._tls_files(folder, now)
        handler = type("Handler", (S3Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _tls_files(self, folder: Path, now: datetime) -> None:
        """A root and a server certificate for s3.amazonaws.com (keys 5 and 6)."""
        root_key, server_key = _key(5), _key(6)
        start = now - timedelta(days=1)
        root = make_certificate("Fake S3 Root", root_key, None, not_before=start,
                                not_after=start + timedelta(days=30), is_ca=True)
        server = make_certificate(S3_HOST, server_key, ("Fake S3 Root", root_key),
                                  not_before=start, not_after=start + timedelta(days=30),
                                  is_ca=False, dns_names=(S3_HOST,))
        self.root_file = folder / "fake-s3-root.pem"
        self.cert_file = folder / "fake-s3.pem"
        self.key_file = folder / "fake-s3.key"
        self.root_file.write_bytes(pem(root))
        self.cert_file.write_bytes(pem(server))
        self.key_file.write_bytes(server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))

    def fetcher(self, deadline_seconds: float = 2.0) -> ChainFetcher:
        """The production fetcher, resolving S3 to this server and trusting its root."""
        from skill.cert_fetch import ChainFetcher

        context = ssl.create_default_context(cafile=str(self.root_file))
        return ChainFetcher(resolve=lambda host, port: ("127.0.0.1", self.port),
                            ssl_context=context, deadline_seconds=deadline_seconds)

    def fetches(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


class S3Handler(BaseHTTPRequestHandler):
    """Answers as the ``fake`` it belongs to says, path by path."""

    fake: FakeS3

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        fake = self.fake
        path = self.path.split("?")[0]  # as S3 does: a query names the same object
        with fake._lock:
            fake.counts[path] += 1
        if path in fake.hangs:
            fake.released.wait(30)
        if path in fake.redirects:
            self.send_response(302)
            self.send_header("Location", fake.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path in fake.drips:
            self._drip()
        elif path in fake.chains:
            self._send(fake.chains[path])
        else:
            self.send_error(404)

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-pem-file")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self) -> None:
        """One byte every 0.1 s, for up to 30 s: never done within any deadline."""
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(300):
                self.wfile.write(b"-")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            return  # the fetcher gave up and closed the connection
