"""One code path: the SQL a strategy benchmarks for a workload is the SQL its snippet runs.

For every strategy and semantics, on the standard table and on a user's table, the strategy
inserts a few rows into the sandbox table, then the snippet written for that very table does
the same from the same starting state; every statement that reaches psycopg is recorded, and
the two lists must be equal, statement for statement.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from shop import SCHEMA_SQL
from snippet_util import check_tidy, import_snippet, workload

from advisor.bench.runner import resolve_dataset
from advisor.bench.semantics import Existing
from advisor.bench.server import Sandbox, Target
from advisor.bench.strategies import create, unsupported
from advisor.bench.table import BenchTable
from advisor.results import BenchPlan, Semantics
from advisor.snippets import snippet
from advisor.snippets.table import STANDARD_TABLE
from advisor.strategy_info import STRATEGIES, SYNC_IDS, Shape

ROWS = 20
SEMANTICS = {
    "plain": Semantics(),
    "upsert": Semantics(upsert=True, conflicts=0.5),
    "returning": Semantics(returning=True),
    "both": Semantics(upsert=True, conflicts=0.5, returning=True),
}


@pytest.fixture(scope="module", autouse=True)
def shop(target: Target) -> Iterator[None]:
    with target.connect(autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
    yield
    with target.connect(autocommit=True) as conn:
        conn.execute("DROP SCHEMA shop CASCADE")


@contextmanager
def recorded(monkeypatch: pytest.MonkeyPatch, table: str) -> Iterator[list[str]]:
    """The statements sent through psycopg that name `table` (or the staging table): not the
    catalog queries of reflection and type lookups, which the two sides make differently."""
    seen: list[str] = []
    with monkeypatch.context() as patch:
        for name in ("execute", "executemany", "copy"):
            original = getattr(psycopg.Cursor, name)

            def wrapper(
                self: Any, query: Any, *args: Any, _original: Any = original, **kw: Any
            ) -> Any:
                sql = query.decode() if isinstance(query, bytes) else str(query)
                if table in sql or "staging" in sql:
                    seen.append(sql)
                return _original(self, query, *args, **kw)

            patch.setattr(psycopg.Cursor, name, wrapper)
        yield seen


def _run_snippet(
    code: str, tmp: Path, target: Target, sid: str, table: BenchTable, rows: list[Any]
) -> None:
    tmp.mkdir()
    module = import_snippet(code, tmp)
    shape = STRATEGIES[sid].shape
    if shape is Shape.TUPLES:
        with target.connect() as conn:
            module["insert_rows"](conn, rows)
        return
    engine = sa.create_engine("postgresql+psycopg://", creator=target.connect)
    try:
        dicts = [dict(zip(table.names, row, strict=True)) for row in rows]
        if shape is Shape.OBJECTS:
            module["Reflected"].prepare(engine)  # as the snippet says: before making objects
            model = module[table.snippet_table.model]
            module["insert_rows"](engine, [model(**d) for d in dicts])
        else:
            module["insert_rows"](engine, dicts)
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", SEMANTICS)
@pytest.mark.parametrize("user_table", [None, "shop.orders"], ids=["standard", "shop.orders"])
def test_a_strategy_runs_the_sql_its_snippet_shows(
    target: Target,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    user_table: str | None,
    name: str,
) -> None:
    semantics = SEMANTICS[name]
    plan = BenchPlan(rows=ROWS, table=user_table, semantics=semantics)
    differences = []
    with Sandbox(target) as sandbox:
        dataset = resolve_dataset(plan, sandbox)
        table = BenchTable(sandbox, dataset.spec, semantics)
        table.create()
        rows = dataset.rows(0, ROWS)
        key = tuple(table.names.index(k) for k in table.writes.key)
        existing = Existing(dataset, ROWS, ROWS, semantics.conflicts, key, cache=True)

        def start() -> None:
            if semantics.upsert:
                existing.fill(table, [rows])
            else:
                table.reset()

        for sid in SYNC_IDS:
            if unsupported(sid, semantics):
                continue
            w = workload(STRATEGIES[sid].shape.value, semantics.upsert, semantics.returning, ROWS)
            code = snippet(sid, w, table.snippet_table)
            check_tidy(code)
            strategy = create(sid, target, table)
            strategy.open()
            try:
                start()
                with recorded(monkeypatch, table.name) as benchmarked:
                    strategy.insert([strategy.prepare(rows)])
            finally:
                strategy.close()
            start()
            with recorded(monkeypatch, table.name) as shown:
                _run_snippet(code, tmp_path / sid, target, sid, table, rows)
            assert benchmarked, sid
            if benchmarked != shown:
                differences.append((sid, benchmarked, shown))
    assert not differences, differences


@pytest.mark.parametrize("name", SEMANTICS)
@pytest.mark.parametrize("sid", SYNC_IDS)
def test_every_form_is_tidy_for_the_standard_table(sid: str, name: str) -> None:
    """The forms the rules do not recommend (a merge, COPY through a staging table) too."""
    semantics = SEMANTICS[name]
    w = workload(STRATEGIES[sid].shape.value, semantics.upsert, semantics.returning, ROWS)
    check_tidy(snippet(sid, w, STANDARD_TABLE))
