"""Counting the round trips a PostgreSQL client really waits for, to hold the estimator's model
(`advisor.advice.estimates.round_trips`) against what the strategies and snippets do.

`RoundTripCounter` is a loopback proxy that reads the client's half of the wire protocol. A
client has to wait for the server after a simple Query, after a Sync (the end of an
extended-protocol exchange, or of a whole pipeline), after the end of a COPY (CopyDone or
CopyFail), and after each startup packet. Everything sent between two of those travels in one
round trip, so counting them counts round trips, pipelining included.

The proxy runs in a child process (`python tests/roundtrips.py UPSTREAM DIR`), as the
product's latency proxy does: psycopg2 can hold the GIL while it writes to a full socket, and
a proxy made of this process's threads could then never drain it (a test hung so, past
pytest-timeout, whose thread needs the GIL too).
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from psycopg.conninfo import make_conninfo

from advisor.bench.delayproxy import Upstream, connect_upstream
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


class _Proxy:
    """The child's side: forwards every connection on `listener` to `upstream` and counts."""

    def __init__(self, listener: socket.socket, upstream: Upstream) -> None:
        self.listener = listener
        self.upstream = upstream
        self.lock = threading.Lock()
        self.waits = 0

    def serve_forever(self) -> None:
        while True:
            client, _ = self.listener.accept()
            try:
                server = connect_upstream(self.upstream)
            except OSError:
                client.close()  # the client sees the server hang up, as with no proxy
                continue
            for src, dst, from_client in ((client, server, True), (server, client, False)):
                args = (src, dst, from_client)
                threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        stream = _ClientStream()
        try:
            while data := src.recv(1 << 16):
                if from_client:
                    # Counted before forwarding: once the answer is back, the count is complete.
                    waits = stream.feed(data)
                    with self.lock:
                        self.waits += waits
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class RoundTripCounter:
    """Forwards connections to `upstream`'s server and counts, over all of them, the round
    trips the clients wait for. `target` (a `Target`) connects through it."""

    def __init__(self, upstream: Target) -> None:
        with upstream.connect(autocommit=True) as conn:
            info = conn.info
            where = upstream_of(info.host, info.port, info.hostaddr)
        self._dir = tempfile.TemporaryDirectory(prefix="rt-")  # short: socket paths are
        self._proc = subprocess.Popen(
            [sys.executable, __file__, json.dumps(where), self._dir.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self._ask("ready?") != "ready":
            self.close()
            raise RuntimeError("the round-trip counter did not start")
        self.target = Target(
            make_conninfo(upstream.dsn, host=self._dir.name, port=str(PORT), hostaddr=None)
        )

    def _ask(self, question: str) -> str:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(question + "\n")
        self._proc.stdin.flush()
        return self._proc.stdout.readline().strip()

    @property
    def round_trips(self) -> int:
        return int(self._ask("count?"))

    def close(self) -> None:
        """Stop the child (it exits when its stdin closes; the kernel cuts every connection)."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc.stdout.close()
        self._dir.cleanup()

    def __enter__(self) -> RoundTripCounter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def main(upstream: str, directory: str) -> None:
    """The child: answer 'ready?' once listening and 'count?' with the count; exit at EOF."""
    where = json.loads(upstream)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(Path(directory) / f".s.PGSQL.{PORT}"))
    listener.listen()
    proxy = _Proxy(listener, where if isinstance(where, str) else (where[0], where[1]))
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    for line in sys.stdin:
        with proxy.lock:
            answer = "ready" if line.strip() == "ready?" else str(proxy.waits)
        print(answer, flush=True)
    os._exit(0)  # daemon threads mid-pump: the kernel closes every socket


if __name__ == "__main__":
    main(*sys.argv[1:])
