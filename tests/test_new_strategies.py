"""The twelve paths beyond the seed article's eight (pandas, polars, ADBC, asyncio, psycopg2)
on a real server: each inserts and verifies, and what a library changes or refuses is
reported as the finding it is, with the first value it changed."""

import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from advisor.bench.data.adversarial import SET_SIZE
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.bench.strategies import IMPLEMENTATIONS
from advisor.bench.strategies.aio import AsyncpgCopy
from advisor.bench.strategies.psycopg2 import Psycopg2ExecuteValues, csv_writer
from advisor.bench.verify import canonical
from advisor.results import BenchPlan, StrategyResult
from advisor.strategy_info import ALL_IDS, GROUPS, SYNC_IDS
from advisor.tables import Column
from tests.dbutil import sandbox_exists, wait_for_no_connections
from tests.shop import SCHEMA_SQL

NEW = [sid for sid in ALL_IDS if sid not in SYNC_IDS]


def _plan(**kw: Any) -> BenchPlan:
    base: dict[str, Any] = {
        "rows": 600,
        "repeat": 1,
        "warmup": 0,
        "memory": False,
        "ceiling": False,
        "strategies": NEW,
    }
    return BenchPlan(**(base | kw))


def _by_id(results: Iterable[StrategyResult]) -> dict[str, StrategyResult]:
    return {r.strategy: r for r in results}


def test_the_groups_hold_the_twelve() -> None:
    assert len(NEW) == 12
    assert sorted(NEW) == sorted(GROUPS["dataframe"] + GROUPS["async"] + GROUPS["psycopg2"])


def test_every_new_strategy_inserts_and_verifies_over_several_batches(target: Target) -> None:
    # 1,234 rows in batches of 500; the memory pass doubles as the warmup.
    report = run_benchmark(target, _plan(rows=1_234, batch_rows=500, warmup=1, memory=True))
    assert [r.strategy for r in report.results] == NEW
    for r in report.results:
        assert r.error is None, (r.strategy, r.error)
        assert r.verified, (r.strategy, r.problem)
        assert r.runs_verified == [True] and len(r.warmup_s) == 0
        assert r.peak_mib is not None and r.peak_mib > 0, r.strategy
    notes = " ".join(report.notes)
    assert "polars_adbc: write_database commits after every call" in notes
    assert "peak MiB is the Python heap (tracemalloc)" in notes
    assert set(report.environment.libraries) >= {"pandas", "polars", "pyarrow", "asyncpg"}
    wait_for_no_connections(target)  # every library's connection is closed
    assert not sandbox_exists(target)


# What each library does to the adversarial set: (strategy, the first finding). Read with
# the adversarial lists: row 2 holds datetime(1, 1, 1), row 3 -0.0, row 6 a float32 NaN.
ASYNCPG_INFINITY = (
    "input row 2, column 'ts_local': sent datetime.datetime(1, 1, 1, 0, 0), stored -infinity"
)
ADVERSARIAL = {
    # pandas cannot tell a missing value from NaN: both become NULL.
    "pandas_to_sql": "input row 6, column 'f4': sent nan, stored None",
    "pandas_to_sql_multi": "input row 6, column 'f4': sent nan, stored None",
    "pandas_copy": "input row 6, column 'f4': sent nan, stored None",
    # asyncpg writes date.min/max and datetime.min/max as -infinity/infinity.
    "async_orm_add_all": ASYNCPG_INFINITY,
    "async_core_execute": ASYNCPG_INFINITY,
    "asyncpg_executemany": ASYNCPG_INFINITY,
    "asyncpg_copy": ASYNCPG_INFINITY,
    # psycopg2 writes -0.0 as the numeric literal -0.0, which is 0.
    "psycopg2_execute_values": "input row 3, column 'f8': sent -0.0, stored 0.0",
}
# Frames that cannot hold a 60-digit numeric, 1E+100 and NaN are refused before any insert.
REFUSED = {
    "polars_adbc": "cannot build the polars DataFrame from these rows: column 'num': ",
    "adbc_ingest": "cannot build the Arrow table from these rows: column 'num': ",
}
EXACT = ("psycopg_async_copy", "psycopg2_copy_expert")


def test_what_each_library_changes_in_the_adversarial_set_is_reported(target: Target) -> None:
    rows = 2 * SET_SIZE + 3
    report = run_benchmark(target, _plan(rows=rows, batch_rows=40, data="adversarial"))
    results = _by_id(report.results)
    assert sorted([*ADVERSARIAL, *REFUSED, *EXACT]) == sorted(results)
    for sid, first in ADVERSARIAL.items():
        r = results[sid]
        assert r.error is None and not r.verified, (sid, r.error)
        assert r.problem is not None
        assert r.problem.startswith(f"all {rows} rows stored but content differs: {first} ("), (
            sid,
            r.problem,
        )
    for sid, message in REFUSED.items():
        error = results[sid].error
        assert error is not None and error.startswith(message), (sid, error)
        assert results[sid].runs_s == []
    for sid in EXACT:
        assert results[sid].verified, (sid, results[sid].error, results[sid].problem)
    assert not sandbox_exists(target)


@pytest.fixture(scope="module")
def shop(target: Target) -> Iterator[None]:
    with target.connect(autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
        conn.execute("CREATE TABLE shop.amounts (id bigint PRIMARY KEY, amount numeric)")
    yield
    with target.connect(autocommit=True) as conn:
        conn.execute("DROP SCHEMA shop CASCADE")


@pytest.mark.usefixtures("shop")
def test_every_new_strategy_on_a_users_table(target: Target) -> None:
    """shop.orders: an enum and an enum array, char(3), varchar(n)[], uuid, json and jsonb,
    numeric(10,2), timestamp(0), generated and identity columns."""
    report = run_benchmark(target, _plan(table="shop.orders", rows=400, batch_rows=150))
    for r in report.results:
        if r.strategy == "polars_adbc":
            # polars sends JSON as plain strings; ADBC's jsonb writer needs Arrow's JSON type.
            assert r.error is not None and "unsupported jsonb version number 123" in r.error
        else:
            assert r.error is None, (r.strategy, r.error)
            assert r.verified, (r.strategy, r.problem)


@pytest.mark.usefixtures("shop")
def test_adbc_drops_trailing_zeros_of_a_numeric_without_scale(target: Target) -> None:
    """A numeric column without a declared scale keeps 0.50 as 0.50; ADBC sends 0.5."""
    report = run_benchmark(
        target, _plan(table="shop.amounts", rows=300, strategies=GROUPS["dataframe"])
    )
    for sid, r in _by_id(report.results).items():
        if sid in ("polars_adbc", "adbc_ingest"):
            assert r.problem is not None and not r.verified, sid
            assert "column 'amount': sent Decimal('" in r.problem, r.problem
            sent, stored = r.problem.split("sent ")[1].split(", stored ")
            assert sent.rstrip("')").endswith("0") and stored.startswith(sent.rstrip("0')"))
        else:
            assert r.verified, (sid, r.error, r.problem)


class _Panics(AsyncpgCopy):
    """A library panicking in Rust: pyo3's PanicException derives from BaseException."""

    async def ainsert(self, batches: Iterable[list[Any]]) -> None:
        from polars.exceptions import PanicException

        raise PanicException("called `Option::unwrap()` on a `None` value")


class _PandasDatabaseError(Psycopg2ExecuteValues):
    def insert(self, batches: Iterable[list[Any]]) -> None:
        import pandas.errors

        raise pandas.errors.DatabaseError("Execution failed on sql: bigint out of range")


class _Interrupted(Psycopg2ExecuteValues):
    def insert(self, batches: Iterable[list[Any]]) -> None:
        raise KeyboardInterrupt


def test_library_errors_are_findings_and_the_benchmark_goes_on(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, "asyncpg_copy", _Panics)
    monkeypatch.setitem(IMPLEMENTATIONS, "psycopg2_execute_values", _PandasDatabaseError)
    plan = _plan(strategies=["asyncpg_copy", "psycopg2_execute_values", "driver_copy"])
    results = _by_id(run_benchmark(target, plan).results)
    assert results["asyncpg_copy"].error == (
        "PanicException: called `Option::unwrap()` on a `None` value"
    )
    assert results["psycopg2_execute_values"].error == (
        "DatabaseError: Execution failed on sql: bigint out of range"
    )
    assert results["driver_copy"].verified
    wait_for_no_connections(target)


def test_an_interrupt_is_never_taken_for_a_finding(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, "psycopg2_execute_values", _Interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(target, _plan(strategies=["psycopg2_execute_values", "driver_copy"]))
    assert not sandbox_exists(target)


def test_the_csv_of_copy_expert_reads_back_value_for_value(target: Target) -> None:
    """NULL an unquoted empty field, every other value quoted (so "" is an empty string),
    also in a one-column table, where a NULL is an empty line: COPY (FORMAT csv) must read
    back exactly what was written."""
    columns = (
        Column("t", "text"),
        Column("f", "double precision"),
        Column("n", "numeric"),
        Column("b", "boolean"),
        Column("ts", "timestamp with time zone"),
    )
    utc = datetime.UTC
    rows: list[tuple[Any, ...]] = [
        ("", -0.0, Decimal("0.10"), True, datetime.datetime(1, 1, 1, tzinfo=utc)),
        (None, float("nan"), Decimal("NaN"), False, datetime.datetime(9999, 12, 31, tzinfo=utc)),
        ('a "quoted", comma\r\nline', float("inf"), Decimal("123.4500"), None, None),
        ("\\.", float("-inf"), Decimal("-Infinity"), True, datetime.datetime.now(utc)),
        ("  spaced  ", 5e-324, Decimal("1.5"), False, datetime.datetime.now(utc)),
        ("\\N", 1e308, None, True, datetime.datetime.now(utc)),
    ]
    text = csv_writer(columns)(rows)
    with target.connect(autocommit=True) as conn:
        conn.execute(
            "CREATE TEMP TABLE csv_check (t text, f float8, n numeric, b boolean, ts timestamptz)"
        )
        with conn.cursor() as cur, cur.copy("COPY csv_check FROM STDIN (FORMAT csv)") as copy:
            copy.write(text)
        stored = conn.execute("SELECT * FROM csv_check").fetchall()

    def exact(row: tuple[Any, ...]) -> object:  # Decimal NaN is unequal to itself; str keeps scale
        return canonical(tuple(str(v) if isinstance(v, Decimal) else v for v in row))

    assert [exact(r) for r in stored] == [exact(r) for r in rows]
    for column in (Column("t", "text"), Column("i", "bigint")):
        one: list[tuple[Any, ...]] = [(None,), ("" if column.name == "t" else 7,)]
        text = csv_writer([column])(one)
        with target.connect(autocommit=True) as conn:
            conn.execute(f"CREATE TEMP TABLE one_column ({column.name} {column.type})")
            with conn.cursor() as cur, cur.copy("COPY one_column FROM STDIN (FORMAT csv)") as c:
                c.write(text)
            assert conn.execute("SELECT * FROM one_column").fetchall() == one
