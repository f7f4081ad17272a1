"""Distance to the database: the measured round trip, and a simulated one through a proxy."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from advisor.bench.delayproxy import ProxyProcess, Upstream
from advisor.bench.server import Target
from advisor.errors import InputError
from advisor.limits import MAX_RTT_MS
from advisor.results import RTT_TRIES


def measure_rtt(target: Target, tries: int = RTT_TRIES) -> float:
    """Median milliseconds of `SELECT 1` (one round trip) over one warm connection."""
    with target.connect(autocommit=True) as conn:
        conn.execute("SELECT 1")  # the first one also prepares the connection's caches
        times = []
        for _ in range(tries):
            t0 = time.perf_counter()
            conn.execute("SELECT 1").fetchone()
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def check_rtt_ms(value: float) -> float:
    if not 0 <= value <= MAX_RTT_MS:  # also refuses NaN
        raise InputError(f"a round trip must be from 0 to {MAX_RTT_MS:g} ms, not {value:g}")
    return value


def upstream_of(host: str, port: int, hostaddr: str) -> Upstream:
    """Where a live connection went: libpq has already applied defaults, $PGHOST, services
    and the choice among several hosts, so this is read from it rather than from the DSN."""
    if host.startswith(("/", "@")):  # a socket directory, or an abstract one (Linux)
        return f"{host}/.s.PGSQL.{port}"
    return (hostaddr or host, port)


@contextmanager
def simulated_distance(target: Target, rtt_ms: float | None) -> Iterator[Target]:
    """`target` itself when `rtt_ms` is None; else the same server behind a loopback proxy
    that delays each direction by `rtt_ms` / 2, running until the block ends."""
    if rtt_ms is None:
        yield target
        return
    from psycopg.conninfo import make_conninfo

    check_rtt_ms(rtt_ms)
    with target.connect(autocommit=True) as conn:
        # Read while connected: `conn.info` answers from the live connection only.
        host, port, hostaddr = conn.info.host, conn.info.port, conn.info.hostaddr
    upstream = upstream_of(host, port, hostaddr)
    tcp = not isinstance(upstream, str)
    with ProxyProcess(upstream, rtt_ms / 2 / 1000) as proxy:
        # Over TCP the host name stays (TLS checks and SNI use it) and hostaddr redirects.
        conninfo = make_conninfo(
            target.dsn,
            host=host if tcp else "127.0.0.1",
            hostaddr="127.0.0.1" if tcp else None,
            port=str(proxy.port),
        )
        yield Target(conninfo)
