"""The latency proxy and round-trip measurement, on the embedded server.

A delay can only make things slower, so lower bounds on times are sound; upper bounds would
fail on a slow or busy machine, and are left to `make bench` (none is asserted here).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import asdict

import psutil
import pytest

from advisor.bench.delayproxy import ProxyProcess
from advisor.bench.latency import check_rtt_ms, measure_rtt, simulated_distance, upstream_of
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.errors import InputError
from advisor.report.bench import network_line
from advisor.results import BenchReport
from tests.plans import ENVIRONMENT, quick_plan
from tests.waiting import PATIENCE_S

RTT_MS = 20.0


def _gone(pid: int | None, port: int) -> None:
    """The proxy process has exited and nothing listens on its port any more."""
    assert pid is not None
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def _proxied(target: Target) -> bool:
    """True when `target`'s connections go through a proxy of ours, a child of this process."""
    with target.connect(autocommit=True) as conn:
        port = conn.info.port
    return any(
        c.laddr.port == port
        for child in psutil.Process().children()
        for c in child.net_connections("tcp")
        if c.status == psutil.CONN_LISTEN
    )


def test_direct_round_trip_is_measured(target: Target) -> None:
    assert measure_rtt(target) > 0


def test_the_proxy_adds_at_least_the_requested_round_trip(target: Target) -> None:
    with simulated_distance(target, RTT_MS) as far:
        assert far is not target and _proxied(far)
        proxied = measure_rtt(far)
    assert proxied >= RTT_MS


def test_zero_ms_is_the_proxy_alone(target: Target) -> None:
    with simulated_distance(target, 0.0) as far:
        assert far is not target and _proxied(far)
        assert measure_rtt(far) > 0


def test_no_rtt_means_no_proxy(target: Target) -> None:
    with simulated_distance(target, None) as same:
        assert same is target


def test_the_proxy_delays_but_does_not_throttle(target: Target) -> None:
    """32 MB streamed through a 400 ms proxy: one delay (0.2 s out, 0.2 s back), not one per
    64 KiB chunk (~500 of them, 100 s). The bound, 30 s, holds on a machine ten times slower
    than this one, and the stream is given up as soon as it is passed."""
    bound_s = 30.0
    with simulated_distance(target, 400.0) as far, far.connect(autocommit=True) as conn:
        t0 = time.perf_counter()
        size = 0
        with conn.cursor().copy(
            "COPY (SELECT repeat('x', 1000) FROM generate_series(1, 32000)) TO STDOUT"
        ) as copy:
            for chunk in copy:
                size += len(chunk)
                took = time.perf_counter() - t0
                assert took < bound_s, (
                    f"{size:,} bytes in {took:.0f} s: the proxy serialises chunks"
                )
        took = time.perf_counter() - t0
    assert size > 32_000_000
    assert took >= 0.4, "the round trip was delayed"


def test_the_proxy_stops_with_its_block_even_on_error(target: Target) -> None:
    threads = threading.active_count()
    with target.connect() as conn:
        upstream = upstream_of(conn.info.host, conn.info.port, conn.info.hostaddr)
    proxy = ProxyProcess(upstream, 0.001)
    with pytest.raises(RuntimeError, match="boom"), proxy:
        pid, port = proxy.pid, proxy.port
        with socket.create_connection(("127.0.0.1", port)):
            pass  # it listens while the block runs
        raise RuntimeError("boom")
    _gone(pid, port)
    assert threading.active_count() == threads, "no thread left in this process"
    proxy.close()  # twice is harmless


def test_a_bench_through_the_proxy_verifies_and_leaves_nothing(target: Target) -> None:
    me = psutil.Process()
    plan = quick_plan(rows=200, strategies=["driver_copy", "core_execute"], simulated_rtt_ms=RTT_MS)
    report = run_benchmark(target, plan)
    assert [(r.strategy, r.verified) for r in report.results] == [
        ("driver_copy", True),
        ("core_execute", True),
    ], [r.problem or r.error for r in report.results]
    env = report.environment
    assert env.rtt_ms is not None and env.rtt_ms > 0
    assert env.proxied_rtt_ms is not None and env.proxied_rtt_ms >= RTT_MS
    copy = next(r for r in report.results if r.strategy == "driver_copy")
    # BEGIN, COPY, end of COPY, COMMIT: at least three round trips are waited for
    assert copy.median_s >= 3 * RTT_MS / 1000, copy.median_s
    assert [p for p in me.children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE] == []


def test_reports_from_before_round_trips_load_and_say_so() -> None:
    env = {k: v for k, v in asdict(ENVIRONMENT).items() if k not in ("rtt_ms", "proxied_rtt_ms")}
    old = {"plan": {"rows": 10}, "environment": env, "started": "t0", "results": []}
    report = BenchReport.from_dict(old)
    assert report.plan.simulated_rtt_ms is None and report.environment.rtt_ms is None
    assert (
        network_line(report.plan, [report.environment]) == "round trip to the server: not measured"
    )


def test_echo_through_an_abstract_unix_socket_waits_both_ways_and_passes_the_close() -> None:
    name = f"@advisor-test-echo-{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + name[1:])
    listener.listen()

    def echo() -> None:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)

    server = threading.Thread(target=echo)
    server.start()
    try:
        with (
            ProxyProcess(name, 0.010) as proxy,
            socket.create_connection(("127.0.0.1", proxy.port)) as sock,
        ):
            t0 = time.perf_counter()
            sock.sendall(b"ping")
            assert sock.recv(1024) == b"ping"
            assert time.perf_counter() - t0 >= 0.020
            sock.shutdown(socket.SHUT_WR)  # the echo server sees the end and closes: so do we
            assert sock.recv(1024) == b""
    finally:
        server.join(timeout=PATIENCE_S)
        listener.close()
    assert not server.is_alive()


@pytest.mark.parametrize(
    ("host", "port", "hostaddr", "expected"),
    [
        ("/tmp/pg", 5432, "", "/tmp/pg/.s.PGSQL.5432"),
        ("@pg", 5433, "", "@pg/.s.PGSQL.5433"),
        ("db.example.com", 6432, "10.0.0.7", ("10.0.0.7", 6432)),
        ("localhost", 5432, "", ("localhost", 5432)),
    ],
)
def test_upstream_of(host: str, port: int, hostaddr: str, expected: object) -> None:
    assert upstream_of(host, port, hostaddr) == expected


@pytest.mark.parametrize("value", [-1.0, 1000.5, float("nan"), float("inf")])
def test_check_rtt_ms_refuses(value: float) -> None:
    with pytest.raises(InputError, match="from 0 to 1000 ms"):
        check_rtt_ms(value)
