"""Fixture plugin: a user's schemas on the embedded server, for the --table tests.

Module-scoped: a module's tests may write to the tables (the snippet tests truncate them),
and the next module starts from the schema as `tests.shop` defines it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from advisor.bench.server import Target
from tests.shop import HOSTILE_SCHEMA, LINE_ITEMS_SQL, SCHEMA_SQL, hostile_sql


def _schema(target: Target, create_sql: str, schema: str) -> Iterator[str]:
    with target.connect(autocommit=True) as conn:
        conn.execute(create_sql)
    try:
        yield target.dsn
    finally:
        with target.connect(autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="module")
def shop(target: Target) -> Iterator[str]:
    """The `shop` schema (tables with constraints, indexes and 25 orders); the server's DSN."""
    yield from _schema(target, SCHEMA_SQL, "shop")


@pytest.fixture(scope="module")
def line_items(target: Target) -> Iterator[str]:
    """The `"Sales Data"."LineItems"` table (quoted identifiers, no primary key)."""
    yield from _schema(target, LINE_ITEMS_SQL, '"Sales Data"')


@pytest.fixture(scope="module")
def hostile(target: Target) -> Iterator[str]:
    """A table whose every name is built to break generated code (tests/shop.py)."""
    from advisor.bench.server import quote_ident

    yield from _schema(target, hostile_sql(), quote_ident(HOSTILE_SCHEMA))
