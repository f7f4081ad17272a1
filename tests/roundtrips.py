"""Counting the round trips a PostgreSQL client really waits for, to hold the estimator's model
(`advisor.advice.estimates.round_trips`) against what the strategies and snippets do.

`RoundTripCounter` is a loopback proxy (in this process: it measures no time) that reads the
client's half of the wire protocol. A client has to wait for the server after a simple Query,
after a Sync (the end of an extended-protocol exchange, or of a whole pipeline), after the end
of a COPY (CopyDone or CopyFail), and after each startup packet. Everything sent between two
of those travels in one round trip, so counting them counts round trips, pipelining included.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from psycopg.conninfo import make_conninfo

from advisor.bench.latency import upstream_of
from advisor.bench.server import Target

WAITS_FOR_THE_SERVER = frozenset(b"QScf")  # Query, Sync, CopyDone, CopyFail
SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102
PORT = 5432  # the proxy's socket is DIR/.s.PGSQL.5432, as libpq names one


class _ClientStream:
    """Splits the client's bytes into protocol messages and counts the waits among them."""

    def __init__(self) -> None:
        self.buffer = b""
        self.startup = True  # startup packets have no type byte
        self.waits = 0

    def feed(self, data: bytes) -> int:
        """Take `data`; return how many waits it completed."""
        self.buffer += data
        before = self.waits
        while True:
            if self.startup:
                if len(self.buffer) < 8:
                    break
                length, code = struct.unpack("!ii", self.buffer[:8])
                if len(self.buffer) < length:
                    break
                self.buffer = self.buffer[length:]
                if code != CANCEL_REQUEST:
                    self.waits += 1  # the server answers each before the client goes on
                self.startup = code in (SSL_REQUEST, GSSENC_REQUEST)
            else:
                if len(self.buffer) < 5:
                    break
                kind = self.buffer[0]
                (length,) = struct.unpack("!i", self.buffer[1:5])
                if len(self.buffer) < 1 + length:
                    break
                self.buffer = self.buffer[1 + length :]
                if kind in WAITS_FOR_THE_SERVER:
                    self.waits += 1
        return self.waits - before


class RoundTripCounter:
    """Forwards connections to `target`'s server and counts, over all of them, the round trips
    the clients wait for. `target` (a `Target`) connects through it."""

    def __init__(self, upstream: Target) -> None:
        with upstream.connect(autocommit=True) as conn:
            info = conn.info
            self._upstream = upstream_of(info.host, info.port, info.hostaddr)
        self._dir = tempfile.TemporaryDirectory(prefix="rt-")  # short: socket paths are
        path = Path(self._dir.name) / f".s.PGSQL.{PORT}"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen()
        self._lock = threading.Lock()
        self._waits = 0
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.target = Target(
            make_conninfo(upstream.dsn, host=self._dir.name, port=str(PORT), hostaddr=None)
        )
        self._start(self._accept)

    @property
    def round_trips(self) -> int:
        with self._lock:
            return self._waits

    def _start(self, run: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=run, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self._upstream, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            name = self._upstream
            sock.connect("\0" + name[1:] if name.startswith("@") else name)
            return sock
        return socket.create_connection(self._upstream)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = self._connect_upstream()
            with self._lock:
                self._sockets += [client, server]
            self._start(self._pump, client, server, True)
            self._start(self._pump, server, client, False)

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        stream = _ClientStream()
        try:
            while data := src.recv(1 << 16):
                if from_client:
                    # Counted before forwarding: once the answer is back, the count is complete.
                    waits = stream.feed(data)
                    with self._lock:
                        self._waits += waits
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        """Stop listening, cut every connection and wait for every thread: none outlives it
        (test_latency counts threads)."""
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
            threads, self._threads = self._threads, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes its reader, where close would not
        for thread in threads:
            thread.join()
        for sock in sockets:
            sock.close()
        self._dir.cleanup()

    def __enter__(self) -> RoundTripCounter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
