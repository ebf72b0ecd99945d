"""Faults on purpose: a loopback TCP proxy in front of a database that tests can cut or freeze,
and a store wrapper that fails on demand."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from skill.storage import HouseholdStore, StoreError

FORWARD, DOWN, STALL = "forward", "down", "stall"
POLL_SECONDS = 0.05


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server until told to go down (drop every connection and
    refuse new ones) or to stall (keep connections open but pass no bytes either way)."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.mode = FORWARD
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(POLL_SECONDS * 4)
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.mode == DOWN:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=2)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                thread = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                thread.start()
                self._threads.append(thread)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(POLL_SECONDS)
        while not self._closed.is_set():
            if self.mode == STALL:
                self._closed.wait(POLL_SECONDS)
                continue
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data or self.mode == DOWN:
                break
            try:
                sink.sendall(data)
            except OSError:
                break
        for end in (source, sink):
            _hang_up(end)

    def set_mode(self, mode: str) -> None:
        """FORWARD, DOWN (existing connections are dropped at once) or STALL."""
        self.mode = mode
        if mode == DOWN:
            with self._lock:
                for sock in self._sockets:
                    _hang_up(sock)
                self._sockets.clear()

    def close(self) -> None:
        self._closed.set()
        self.set_mode(DOWN)
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=2)


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class BreakableStore(HouseholdStore):
    """Another store, until ``broken`` is set: then every operation fails as a down store does."""

    def __init__(self, inner: HouseholdStore) -> None:
        self.inner = inner
        self.broken = False
        self.broken_saves = False
        self.saves = 0

    def _fail_if_broken(self) -> None:
        if self.broken:
            raise StoreError("the store is unreachable (test fault)")

    def load(self, key: str) -> dict[str, Any]:
        self._fail_if_broken()
        return self.inner.load(key)

    def save(self, key: str, attributes: dict[str, Any]) -> None:
        self._fail_if_broken()
        if self.broken_saves:
            raise StoreError("the store refused the write (test fault)")
        self.saves += 1
        self.inner.save(key, attributes)

    def delete(self, key: str) -> None:
        self._fail_if_broken()
        self.inner.delete(key)

    def check(self) -> None:
        self._fail_if_broken()
        self.inner.check()

    def schema_version(self) -> int:
        self._fail_if_broken()
        return self.inner.schema_version()

    def upgrade(self) -> int:
        self._fail_if_broken()
        return self.inner.upgrade()

    def close(self) -> None:
        self.inner.close()
