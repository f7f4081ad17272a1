"""The sandbox schema: ours alone, refused when foreign, replaced when left over."""

import pytest

from advisor.bench.runner import run_benchmark
from advisor.bench.server import SANDBOX_MARK, SANDBOX_SCHEMA, Sandbox, Target
from advisor.errors import InputError
from tests.dbutil import sandbox_exists
from tests.plans import quick_plan


def test_a_foreign_schema_of_that_name_is_refused_and_left_alone(target: Target) -> None:
    with target.connect(autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {SANDBOX_SCHEMA}")
        conn.execute(f"CREATE TABLE {SANDBOX_SCHEMA}.precious (x int)")
        conn.execute(f"INSERT INTO {SANDBOX_SCHEMA}.precious VALUES (1), (2)")
    try:
        with pytest.raises(InputError, match="not created by pg-insert-advisor"), Sandbox(target):
            pass
        with target.connect(autocommit=True) as conn:
            row = conn.execute(f"SELECT count(*) FROM {SANDBOX_SCHEMA}.precious").fetchone()
        assert row is not None and row[0] == 2
    finally:
        with target.connect(autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {SANDBOX_SCHEMA} CASCADE")


def test_a_leftover_of_a_killed_run_is_replaced(target: Target) -> None:
    with target.connect(autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {SANDBOX_SCHEMA}")
        conn.execute(f"COMMENT ON SCHEMA {SANDBOX_SCHEMA} IS '{SANDBOX_MARK}'")
        conn.execute(f"CREATE TABLE {SANDBOX_SCHEMA}.standard_rows (x int)")
    (result,) = run_benchmark(target, quick_plan(rows=100, strategies=["driver_copy"])).results
    assert result.verified
    assert not sandbox_exists(target)


def test_two_runs_on_one_server_do_not_share_the_sandbox(target: Target) -> None:
    with Sandbox(target):
        with pytest.raises(InputError, match="another pg-insert-advisor run"), Sandbox(target):
            pass
        assert sandbox_exists(target), "the refused second run must not drop the first one's schema"
    assert not sandbox_exists(target)


def test_the_sandbox_is_marked_as_ours(target: Target) -> None:
    with Sandbox(target) as sandbox:
        row = sandbox.admin.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            (SANDBOX_SCHEMA,),
        ).fetchone()
        assert row is not None and row[0] == SANDBOX_MARK
