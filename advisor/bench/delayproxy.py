"""A loopback TCP proxy that delays the bytes in each direction by a fixed time.

`advisor bench --rtt-ms N` runs through it (N/2 each way) to show what distance to the
database costs. The delay is a latency, not a throttle: a chunk read at t is written at
t + delay by a writer thread of its own, so the reader keeps reading meanwhile and a stream
keeps its throughput, as on a real long link.

The proxy runs in a child process (`ProxyProcess`). In the benchmark's process its threads
would wait for the GIL held by the strategy's Python, adding up to the switch interval
(5 ms) to a hop and slowing the very code being measured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from types import TracebackType

from advisor.errors import BenchFailure

# A unix socket path ('@' first: Linux's abstract namespace, as libpq writes it), or (host, port)
Upstream = str | tuple[str, int]
CHUNK = 1 << 16
QUEUE_CHUNKS = 256  # per direction; a full queue stops the reader: backpressure, bounded memory
STOP_TIMEOUT_S = 5.0


def connect_upstream(upstream: Upstream) -> socket.socket:
    if isinstance(upstream, str):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect("\0" + upstream[1:] if upstream.startswith("@") else upstream)
        except OSError:
            sock.close()
            raise
        return sock
    sock = socket.create_connection(upstream, timeout=10)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _Link:
    """One proxied connection: two directions, each a reader and a writer thread."""

    def __init__(self, client: socket.socket, server: socket.socket, delay_s: float) -> None:
        self.sockets = (client, server)
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._writers_left = 2

    def start(self) -> None:
        client, server = self.sockets
        for src, dst in ((client, server), (server, client)):
            chunks: queue.Queue[tuple[float, bytes]] = queue.Queue(QUEUE_CHUNKS)
            threading.Thread(target=self._read, args=(src, chunks), daemon=True).start()
            threading.Thread(target=self._write, args=(chunks, dst), daemon=True).start()

    def _read(self, src: socket.socket, chunks: queue.Queue[tuple[float, bytes]]) -> None:
        try:
            while data := src.recv(CHUNK):
                chunks.put((time.monotonic() + self.delay_s, data))
        except OSError:
            pass  # a reset ends the stream like an orderly close does
        finally:
            chunks.put((time.monotonic() + self.delay_s, b""))  # end of stream, delayed too

    def _write(self, chunks: queue.Queue[tuple[float, bytes]], dst: socket.socket) -> None:
        broken = False
        while True:
            due, data = chunks.get()
            if not broken:
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    if data:
                        dst.sendall(data)
                    else:
                        dst.shutdown(socket.SHUT_WR)  # pass the half-close on
                except OSError:
                    broken = True
                    self._abort()
            if not data:
                break  # after a failure, chunks are drained to here so the reader never blocks
        with self._lock:
            self._writers_left -= 1
            last = self._writers_left == 0
        if last:
            for sock in self.sockets:
                sock.close()

    def _abort(self) -> None:
        """Wake both readers (shutdown does, close does not) so both directions end."""
        for sock in self.sockets:
            with contextlib.suppress(OSError):  # already shut down, or closed by the peer
                sock.shutdown(socket.SHUT_RDWR)


class DelayProxy:
    """Listens on 127.0.0.1 (a free port) and forwards every connection to `upstream`."""

    def __init__(self, upstream: Upstream, delay_s: float) -> None:
        self.upstream = upstream
        self.delay_s = delay_s
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]

    def serve_forever(self) -> None:
        while True:
            client, _ = self.listener.accept()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                server = connect_upstream(self.upstream)
            except OSError:
                client.close()  # the client sees the server hang up, as with no proxy
                continue
            _Link(client, server, self.delay_s).start()


class ProxyProcess:
    """A `DelayProxy` in a child process: listening once entered, gone once left.

    The child exits when its stdin closes, so it also goes when this process is killed.
    """

    def __init__(self, upstream: Upstream, delay_s: float) -> None:
        self.upstream = upstream
        self.delay_s = delay_s
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def start(self) -> None:
        where = (
            ["--unix", self.upstream]
            if isinstance(self.upstream, str)
            else ["--tcp", self.upstream[0], str(self.upstream[1])]
        )
        self._proc = proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "advisor.bench.delayproxy",
                "--delay-s",
                repr(self.delay_s),
                *where,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if not line.startswith("port "):
                reason = line.removeprefix("error: ") or f"it exited with code {proc.wait()}"
                raise BenchFailure(f"could not start the latency proxy: {reason}")
            self.port = int(line.split()[1])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the child and wait for it; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def __enter__(self) -> ProxyProcess:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _exit_when_stdin_closes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)  # the parent is done with us (or gone): the kernel closes every socket


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m advisor.bench.delayproxy", description=__doc__)
    parser.add_argument("--delay-s", type=float, required=True, help="delay each way, seconds")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--unix", metavar="PATH", help="upstream unix socket")
    where.add_argument("--tcp", nargs=2, metavar=("HOST", "PORT"), help="upstream TCP address")
    args = parser.parse_args(argv)
    # Ctrl-C reaches the whole process group; the parent stops us once it has cleaned up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    upstream: Upstream = args.unix if args.unix else (args.tcp[0], int(args.tcp[1]))
    try:
        proxy = DelayProxy(upstream, args.delay_s)
    except OSError as exc:
        print(f"error: {exc}", flush=True)
        sys.exit(1)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    print(f"port {proxy.port}", flush=True)
    proxy.serve_forever()


if __name__ == "__main__":
    main()
