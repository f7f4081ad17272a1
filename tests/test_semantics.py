"""Upserts and returned ids, benchmarked like plain inserts: every strategy's own form of them
on the standard table and on a user's table, verified; wrong forms caught; n/a where a
strategy has none."""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.bench.strategies import IMPLEMENTATIONS
from advisor.bench.strategies.base import RETURNING, UPSERT, DriverStrategy, Returned
from advisor.bench.strategies.core import CoreExecute
from advisor.bench.strategies.driver import DriverExecutemany, DriverUnnest
from advisor.errors import InputError
from advisor.results import BenchPlan, BenchReport, Semantics
from advisor.snippets.sql import insert_lines, text, values_lines
from advisor.strategy_info import ALL_IDS, STRATEGIES, SYNC_IDS
from tests.shop import LINE_ITEMS, LINE_ITEMS_SQL, SCHEMA_SQL

SEMANTICS = {
    "upsert-0": Semantics(upsert=True, conflicts=0.0),
    "upsert-0.5": Semantics(upsert=True, conflicts=0.5),
    "upsert-1": Semantics(upsert=True, conflicts=1.0),
    "returning": Semantics(returning=True),
    "both": Semantics(upsert=True, conflicts=0.5, returning=True),
}


def quick(*fast: str) -> list[object]:
    """Every semantics, those not in `fast` marked slow (make test-all runs them)."""
    return [
        pytest.param(name, id=name, marks=() if name in fast else pytest.mark.slow)
        for name in SEMANTICS
    ]


NO_FORM = {"orm_bulk_save_objects"}  # the one sync strategy without upsert or returning forms
NEW = [sid for sid in ALL_IDS if sid not in SYNC_IDS]
# The forms of the twelve beyond the seed article's eight; the others have none (n/a).
NEW_FORMS = {
    "async_orm_add_all": {UPSERT, RETURNING},  # AsyncSession.merge(), as orm_add_all
    "async_core_execute": {UPSERT, RETURNING},  # core_execute's statement, awaited
    "asyncpg_executemany": {UPSERT},  # executemany returns nothing
    "psycopg_async_copy": {UPSERT, RETURNING},  # through a staging table
    "psycopg2_execute_values": {UPSERT, RETURNING},
    "psycopg2_copy_expert": {UPSERT, RETURNING},  # through a staging table
}


@pytest.fixture(scope="module", autouse=True)
def shop(target: Target) -> Iterator[None]:
    with target.connect(autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
        conn.execute(LINE_ITEMS_SQL)
    yield
    with target.connect(autocommit=True) as conn:
        conn.execute('DROP SCHEMA shop CASCADE; DROP SCHEMA "Sales Data" CASCADE')


def _plan(semantics: Semantics, **kw: Any) -> BenchPlan:
    # Three batches (the last one partial): upserts and ids must hold across batches.
    base: dict[str, Any] = {
        "rows": 250,
        "batch_rows": 100,
        "repeat": 1,
        "warmup": 1,
        "memory": False,
        "ceiling": False,
    }
    return BenchPlan(semantics=semantics, **(base | kw))


def _assert_all_verified(report: BenchReport) -> None:
    assert [r.strategy for r in report.results] == list(SYNC_IDS)
    for r in report.results:
        if r.strategy in NO_FORM:
            assert r.na and not r.runs_s and not r.verified, r.strategy
            continue
        assert r.error is None, (r.strategy, r.error)
        assert r.verified, (r.strategy, r.problem)
        assert r.runs_verified == [True] and len(r.warmup_s) == 1


@pytest.mark.parametrize("name", quick("both"))
def test_every_strategy_verifies_on_the_standard_table(target: Target, name: str) -> None:
    report = run_benchmark(target, _plan(SEMANTICS[name]))
    _assert_all_verified(report)
    assert report.ceiling is None


@pytest.mark.parametrize("name", quick("upsert-1"))
def test_every_strategy_verifies_on_a_users_table(target: Target, name: str) -> None:
    # shop.orders: the primary key is generated, so the key is the unique reference; the
    # database fills in three columns (id, ticket, total), returned as tuples.
    report = run_benchmark(target, _plan(SEMANTICS[name], table="shop.orders"))
    _assert_all_verified(report)
    notes = " ".join(report.notes)
    if SEMANTICS[name].upsert:
        assert "ON CONFLICT (reference), the unique constraint orders_reference_key" in notes
    if SEMANTICS[name].returning:
        assert "ids returned (id, ticket, total)" in notes


def test_a_unique_index_is_the_key_of_a_table_without_one(target: Target) -> None:
    both = SEMANTICS["both"]
    plan = _plan(both, table=LINE_ITEMS, strategies=["core_execute", "driver_copy"])
    report = run_benchmark(target, plan)
    assert all(r.verified for r in report.results), [r.problem for r in report.results]
    assert "ON CONFLICT (order, Qty), the unique index line_items_key" in " ".join(report.notes)


@pytest.mark.parametrize(
    ("table", "semantics", "message"),
    [
        ("shop.events", Semantics(upsert=True), "--upsert: shop.events has no primary key"),
        ("shop.strict", Semantics(returning=True), "--returning: the database fills in no"),
    ],
)
def test_a_table_that_cannot_do_it_is_refused_before_any_run(
    target: Target, table: str, semantics: Semantics, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        run_benchmark(target, _plan(semantics, table=table))


# --- what a strategy without a form gets ------------------------------------------------


def test_a_strategy_that_declares_no_form_is_na_by_default() -> None:
    class Plain(DriverStrategy):  # as a new strategy would be before it declares its forms
        info = STRATEGIES["driver_copy"]

        def insert(self, batches: Iterable[list[Any]]) -> None:
            raise AssertionError("never run")

    assert Plain.unsupported(Semantics()) is None
    assert "no upsert form" in (Plain.unsupported(Semantics(upsert=True)) or "")
    assert "returns the generated ids" in (Plain.unsupported(Semantics(returning=True)) or "")
    for sid in SYNC_IDS:
        expected = set() if sid in NO_FORM else {UPSERT, RETURNING}
        assert IMPLEMENTATIONS[sid].forms == expected, sid
    for sid in NEW:
        assert IMPLEMENTATIONS[sid].forms == NEW_FORMS.get(sid, set()), sid


@pytest.mark.parametrize(
    ("sid", "semantics", "reason"),
    [
        ("pandas_to_sql", Semantics(upsert=True), "pandas to_sql has no ON CONFLICT"),
        ("pandas_to_sql_multi", Semantics(returning=True), "to_sql returns a row count"),
        ("pandas_copy", Semantics(upsert=True), "COPY has no ON CONFLICT"),
        ("polars_adbc", Semantics(returning=True), "write_database returns a row count"),
        ("adbc_ingest", Semantics(upsert=True), "adbc_ingest COPYs into the table"),
        ("asyncpg_copy", Semantics(upsert=True), "psycopg_async_copy upserts through a"),
        ("asyncpg_executemany", Semantics(returning=True), "executemany discards what"),
    ],
)
def test_a_new_strategy_without_a_form_says_why(
    sid: str, semantics: Semantics, reason: str
) -> None:
    assert reason in (IMPLEMENTATIONS[sid].unsupported(semantics) or ""), sid


@pytest.mark.parametrize(
    "name", ["upsert-0.5", pytest.param("returning", marks=pytest.mark.slow), "both"]
)
@pytest.mark.parametrize(
    "table",
    [pytest.param(None, id="standard", marks=pytest.mark.slow), "shop.orders"],
)
def test_the_new_strategies_verify_their_forms_and_the_others_are_na(
    target: Target, table: str | None, name: str
) -> None:
    semantics = SEMANTICS[name]
    report = run_benchmark(target, _plan(semantics, table=table, strategies=NEW))
    ran = []
    for r in report.results:
        reason = IMPLEMENTATIONS[r.strategy].unsupported(semantics)
        if reason is not None:
            assert r.na == reason and not r.runs_s and r.error is None, r.strategy
            continue
        ran.append(r.strategy)
        assert r.error is None, (r.strategy, r.error)
        assert r.verified, (r.strategy, r.problem)
    wanted = {f for f, on in ((UPSERT, semantics.upsert), (RETURNING, semantics.returning)) if on}
    assert ran == [sid for sid in NEW if wanted <= NEW_FORMS.get(sid, set())]


def test_na_is_reported_without_running_and_not_counted_as_steps(target: Target) -> None:
    events: list[Any] = []
    plan = _plan(
        SEMANTICS["returning"], strategies=["orm_bulk_save_objects", "driver_copy"], warmup=0
    )
    report = run_benchmark(target, plan, events.append)
    na, copy = report.results
    assert na.na is not None and "primary keys only" in na.na
    assert na.runs_s == [] and na.error is None and not na.verified
    assert copy.verified
    started = next(e for e in events if type(e).__name__ == "BenchStarted")
    assert started.steps == 1, "the n/a strategy's runs are not in the progress bar"


# --- wrong forms are caught ---------------------------------------------------------------


class _UpdatesNothing(DriverExecutemany):
    """ON CONFLICT DO NOTHING: the row count comes out right, the stale values stay."""

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        plain = replace(self.table.writes, upsert=False)
        sql = (
            text(insert_lines(plain, values_lines(plain, named=False))) + " ON CONFLICT DO NOTHING"
        )
        with self.conn.cursor() as cur:
            for batch in batches:
                cur.executemany(sql, batch)
        self.conn.commit()
        return None


class _UpdatesOneColumn(DriverExecutemany):
    """Updates only the first column it should: right count, stale values in the others."""

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        w = self.table.writes
        plain = replace(w, upsert=False)
        first = w.update_columns[0]
        sql = (
            text(insert_lines(plain, values_lines(plain, named=False)))
            + f" ON CONFLICT ({', '.join(w.key)}) DO UPDATE SET {first} = excluded.{first}"
        )
        with self.conn.cursor() as cur:
            for batch in batches:
                cur.executemany(sql, batch)
        self.conn.commit()
        return None


class _Duplicates(DriverExecutemany):
    """Inserts a conflicting row again under another key instead of updating it."""

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        w = self.table.writes
        k = w.names.index(w.key[0])

        def renamed() -> Iterator[list[Any]]:
            for batch in batches:
                yield [(*row[:k], f"dup-{row[k]}", *row[k + 1 :]) for row in batch]
                yield batch

        return super().insert(renamed())


@pytest.mark.parametrize("wrong", [_UpdatesNothing, _UpdatesOneColumn])
def test_an_upsert_that_leaves_stale_values_is_unverified_though_the_count_is_right(
    target: Target, monkeypatch: pytest.MonkeyPatch, wrong: type[DriverExecutemany]
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, "driver_executemany", wrong)
    plan = _plan(SEMANTICS["upsert-0.5"], strategies=["driver_executemany"], warmup=0)
    (result,) = run_benchmark(target, plan).results
    assert not result.verified and result.error is None
    assert result.problem is not None
    # 250 input rows and 25 untouched ones: the count alone would have passed.
    assert result.problem.startswith("all 275 rows stored but content differs"), result.problem
    assert "input row 2, column " in result.problem, "the first conflicting row is named"


def test_an_upsert_that_duplicates_rows_is_unverified(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, "driver_executemany", _Duplicates)
    plan = _plan(SEMANTICS["upsert-0.5"], strategies=["driver_executemany"], warmup=0)
    (result,) = run_benchmark(target, plan).results
    assert not result.verified
    assert result.problem is not None and "expected 275" in result.problem, result.problem


class _IdsReversed(DriverExecutemany):
    """The right ids, in the wrong order for an API that promises input order."""

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        ids = super().insert(batches)
        return None if ids is None else ids[::-1]


class _IdsOffByOne(DriverUnnest):
    """An API without order, returning ids that are not the stored ones."""

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        ids = super().insert(batches)
        return None if ids is None else [i + 1 for i in ids]


class _SortedByNewIds(CoreExecute):
    """SQLAlchemy's sort_by_parameter_order on an upsert: it sorts by the generated ids,
    which the rows the upsert updated did not get (they keep their old ones)."""

    def statement(self, target: Any, columns: Any) -> Any:
        from sqlalchemy.dialects.postgresql import insert

        w = self.table.writes
        stmt = insert(target)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(w.key), set_={c: stmt.excluded[c] for c in w.update_columns}
        )
        returned = [getattr(columns, n) for n in w.returned]
        return stmt.returning(*returned, sort_by_parameter_order=True)

    def returned_ids(self, result: Iterable[Any], batch: list[dict[str, Any]]) -> Returned:
        return list(map(self.generated, result))


@pytest.mark.parametrize(
    ("sid", "wrong", "semantics", "found"),
    [
        ("driver_executemany", _IdsReversed, "returning", "input row 1 got back"),
        ("driver_unnest", _IdsOffByOne, "returning", "came back that no input row was stored"),
        ("core_execute", _SortedByNewIds, "both", "but that row was stored with"),
    ],
)
def test_wrong_ids_are_unverified(
    target: Target,
    monkeypatch: pytest.MonkeyPatch,
    sid: str,
    wrong: type[Any],
    semantics: str,
    found: str,
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, sid, wrong)
    plan = _plan(SEMANTICS[semantics], strategies=[sid], warmup=0)
    (result,) = run_benchmark(target, plan).results
    assert not result.verified and result.error is None
    assert result.problem is not None and found in result.problem, result.problem
