"""Fixture plugins and the `db` marker.

The fixtures live in `tests/fix_*.py` (psycopg's layout), registered here. Every test that
needs the embedded PostgreSQL is marked `db`, found from the fixtures it uses (`target`, or
any fixture that depends on it, `dsn` among them) or marked by its module, so that
`pytest -m "not db"` runs the pure tests alone, in seconds.
"""

from __future__ import annotations

import pytest

pytest_plugins = ("tests.fix_db", "tests.fix_shop")

DB_FIXTURES = frozenset({"target"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # fixturenames is the closure: `dsn` and the schema fixtures bring `target` with them.
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
