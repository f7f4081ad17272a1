"""Fixture plugins and the `db` marker.

The fixtures live in `tests/fix_*.py` (psycopg's layout), registered here. Every test that
needs the embedded PostgreSQL is marked `db`: here, from the fixtures it uses (`target`, or
any fixture that depends on it, `dsn` and the schema fixtures among them), or by its module
when it starts a server of its own (test_tui_hangup). `pytest -m "not db"` runs the rest
without any server, and tests/fix_db.py fails a test that starts one without the marker.
"""

from __future__ import annotations

import pytest

pytest_plugins = ("tests.fix_db", "tests.fix_shop", "tests.tcp_server")

DB_FIXTURES = frozenset({"target", "tcp_server"})  # a PostgreSQL server of any kind


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # fixturenames is the closure: `dsn` and the schema fixtures bring `target` with them.
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
