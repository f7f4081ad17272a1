"""The sandbox schema: ours alone, refused when foreign, replaced when left over, and never
dropped into a user's objects."""

import threading
from typing import Any

import psycopg
import pytest

from advisor.bench.runner import run_benchmark
from advisor.bench.server import _LOCK_KEY, SANDBOX_MARK, SANDBOX_SCHEMA, Sandbox, Target
from advisor.errors import InputError
from tests.cli_util import assert_usage_error, run_cli
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


def test_a_closed_sandbox_gives_the_lock_back_before_its_connection_is_gone(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed connection releases its session's lock only once the server process has
    exited, which a loaded machine may schedule after the next run asked for it (refused 4
    times in 200 back-to-back sandboxes with 3 busy processes beside them). Kept open
    here, the connection stands for that late exit."""
    kept: list[psycopg.Connection[Any]] = []

    def keep(conn: psycopg.Connection[Any]) -> None:
        kept.append(conn)

    monkeypatch.setattr(psycopg.Connection, "close", keep)
    with Sandbox(target):
        pass
    monkeypatch.undo()
    try:
        with target.connect(autocommit=True) as probe:
            got = probe.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,)).fetchone()
            assert got is not None and got[0], "the lock is still held by the closed sandbox"
            probe.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    finally:
        for conn in kept:
            conn.close()


def test_a_run_that_has_just_ended_does_not_refuse_the_next(target: Target) -> None:
    """The next run waits a moment for the lock of one that is ending."""
    with target.connect(autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        ending = threading.Timer(0.5, lambda: other.execute("SELECT pg_advisory_unlock_all()"))
        ending.start()
        try:
            with Sandbox(target):
                assert sandbox_exists(target)
        finally:
            ending.join()


def test_the_sandbox_is_marked_as_ours(target: Target) -> None:
    with Sandbox(target) as sandbox:
        row = sandbox.admin.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            (SANDBOX_SCHEMA,),
        ).fetchone()
        assert row is not None and row[0] == SANDBOX_MARK


LEFTOVER = f"{SANDBOX_SCHEMA}.standard_rows"


def _leave_a_sandbox(target: Target) -> None:
    """What a killed run leaves: the marked schema with a table in it."""
    with target.connect(autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {SANDBOX_SCHEMA}")
        conn.execute(f"COMMENT ON SCHEMA {SANDBOX_SCHEMA} IS '{SANDBOX_MARK}'")
        conn.execute(f"CREATE TABLE {LEFTOVER} (id int PRIMARY KEY, note text)")


def _exists(target: Target, query: str) -> bool:
    with target.connect(autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    return row is not None and row[0] is not None


USER_DEPENDENTS = [
    (
        f"CREATE VIEW public.uv AS SELECT id FROM {LEFTOVER}",
        "SELECT to_regclass('public.uv')",
        "DROP VIEW public.uv",
        "view public.uv",
    ),
    (
        f"CREATE TABLE public.orders (item int REFERENCES {LEFTOVER})",
        "SELECT oid FROM pg_constraint WHERE conname = 'orders_item_fkey'",
        "DROP TABLE public.orders",
        "table constraint orders_item_fkey on public.orders",
    ),
    (
        f"CREATE FUNCTION public.uf() RETURNS bigint BEGIN ATOMIC SELECT count(*) FROM {LEFTOVER}; END",
        "SELECT to_regprocedure('public.uf()')",
        "DROP FUNCTION public.uf()",
        "function public.uf()",
    ),
]


@pytest.mark.parametrize(
    ("create", "exists", "drop", "named"), USER_DEPENDENTS, ids=["view", "foreign-key", "function"]
)
def test_a_leftover_that_user_objects_depend_on_is_refused_and_nothing_is_dropped(
    capsys: pytest.CaptureFixture[str],
    target: Target,
    dsn: str,
    create: str,
    exists: str,
    drop: str,
    named: str,
) -> None:
    _leave_a_sandbox(target)
    try:
        with target.connect(autocommit=True) as conn:
            conn.execute(create)
        args = ("--rows", "100", "--strategies", "driver_copy", "--no-ceiling", "--no-memory")
        result = run_cli(capsys, "bench", *args, "--dsn", dsn)
        assert result.code == 2, result.err
        # Found before the first run: the error is the only line.
        assert_usage_error(result, "bench", f"depend on it: {named}; drop")
        assert "DROP SCHEMA" in result.err, "says how to proceed"
        assert _exists(target, exists), "the user's object survived"
        assert _exists(target, f"SELECT to_regclass('{LEFTOVER}')"), (
            "nothing of the leftover was dropped"
        )
    finally:
        with target.connect(autocommit=True) as conn:
            conn.execute(drop)
            conn.execute(f"DROP SCHEMA IF EXISTS {SANDBOX_SCHEMA} CASCADE")


def test_a_user_object_made_to_depend_on_the_sandbox_during_a_run_survives_its_end(
    target: Target,
) -> None:
    try:
        with (
            pytest.raises(InputError, match=r"depend on it: view public\.watch;"),
            Sandbox(target) as sandbox,
            target.connect(autocommit=True) as conn,
        ):
            sandbox.admin.execute(f"CREATE TABLE {sandbox.qualified('rows')} (id int)")
            conn.execute(f"CREATE VIEW public.watch AS SELECT id FROM {sandbox.qualified('rows')}")
        assert _exists(target, "SELECT to_regclass('public.watch')")
    finally:
        with target.connect(autocommit=True) as conn:
            conn.execute("DROP VIEW IF EXISTS public.watch")
            conn.execute(f"DROP SCHEMA IF EXISTS {SANDBOX_SCHEMA} CASCADE")


def test_an_object_the_user_put_inside_a_leftover_is_not_dropped(target: Target) -> None:
    _leave_a_sandbox(target)
    try:
        with target.connect(autocommit=True) as conn:
            conn.execute(f"CREATE VIEW {SANDBOX_SCHEMA}.mine AS SELECT id FROM {LEFTOVER}")
        with pytest.raises(InputError, match="holds objects pg-insert-advisor did not create"):
            Sandbox(target).__enter__()
        assert _exists(target, f"SELECT to_regclass('{SANDBOX_SCHEMA}.mine')")
    finally:
        with target.connect(autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SANDBOX_SCHEMA} CASCADE")
