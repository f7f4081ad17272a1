"""One code path: the SQL a strategy benchmarks for a workload is the SQL its snippet runs.

For every strategy and semantics, on the standard table and on a user's table, the strategy
inserts a few rows into the sandbox table, then the snippet written for that very table does
the same from the same starting state; every statement that reaches the driver (psycopg, sync
or async, asyncpg or psycopg2) is recorded, and the two lists must be equal, statement for
statement.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import psycopg2
import psycopg2.extensions
import psycopg2.extras
import pytest
import sqlalchemy as sa

from advisor.bench.runner import resolve_dataset
from advisor.bench.semantics import Existing
from advisor.bench.server import Sandbox, Target
from advisor.bench.strategies import create, unsupported
from advisor.bench.strategies.frames import pandas_frame
from advisor.bench.table import BenchTable
from advisor.results import BenchPlan, Semantics
from advisor.snippets import snippet
from advisor.snippets.sql import STAGING
from advisor.snippets.table import STANDARD_TABLE
from advisor.strategy_info import ALL_IDS, STRATEGIES, Shape
from tests.snippet_util import call_snippet, check_tidy, import_snippet, workload

ROWS = 20
SEMANTICS = {
    "plain": Semantics(),
    "upsert": Semantics(upsert=True, conflicts=0.5),
    "returning": Semantics(returning=True),
    "both": Semantics(upsert=True, conflicts=0.5, returning=True),
}
# Their library writes the statement (ADBC's and asyncpg's COPY): no SQL of theirs to compare.
LIBRARY_SQL = ("polars_adbc", "adbc_ingest", "asyncpg_copy")
COMPARED = [sid for sid in ALL_IDS if sid not in LIBRARY_SQL]


pytestmark = pytest.mark.usefixtures("shop")  # tests/fix_shop.py


@contextmanager
def recorded(monkeypatch: pytest.MonkeyPatch, table: str) -> Iterator[list[str]]:
    """The statements sent that name `table` (or the staging table), through psycopg (sync
    and async), asyncpg or psycopg2: not the catalog queries of reflection and type lookups,
    which the two sides make differently."""
    seen: list[str] = []

    def keep(query: Any) -> None:
        sql = query.decode() if isinstance(query, bytes) else str(query)
        if table in sql or STAGING in sql:
            seen.append(sql)

    # psycopg2's methods are C, which no monkeypatch reaches: its cursor is subclassed.
    class RecordingCursor(psycopg2.extensions.cursor):  # type: ignore[misc]
        def execute(self, query: Any, vars: Any = None) -> Any:
            if isinstance(query, str):  # not execute_values' pages: values in the text
                keep(query)
            return super().execute(query, vars)

        def copy_expert(self, sql: Any, file: Any, size: int = 8192) -> Any:
            keep(sql)
            return super().copy_expert(sql, file, size)

    connect, execute_values = psycopg2.connect, psycopg2.extras.execute_values

    def psycopg2_connect(*args: Any, **kw: Any) -> Any:
        return connect(*args, cursor_factory=RecordingCursor, **kw)

    def paged(cur: Any, sql: Any, argslist: Any, template: Any = None, **kw: Any) -> Any:
        keep(sql)
        seen.append(f"template={template}")
        return execute_values(cur, sql, argslist, template, **kw)

    with monkeypatch.context() as patch:

        def wrap(owner: type[Any], name: str) -> None:
            original = getattr(owner, name)

            def wrapper(self: Any, query: Any, *args: Any, **kw: Any) -> Any:
                keep(query)
                return original(self, query, *args, **kw)

            patch.setattr(owner, name, wrapper)

        for name in ("execute", "executemany", "copy"):
            wrap(psycopg.Cursor, name)
            wrap(psycopg.AsyncCursor, name)
        for name in ("execute", "executemany", "fetch", "prepare"):
            wrap(asyncpg.Connection, name)
        patch.setattr(psycopg2, "connect", psycopg2_connect)
        patch.setattr(psycopg2.extras, "execute_values", paged)
        yield seen


def _shape(sid: str) -> str:
    """The workload's shape that is the strategy's own input."""
    shape = STRATEGIES[sid].shape
    return "dataframe" if shape in (Shape.PANDAS, Shape.POLARS, Shape.ARROW) else shape.value


def _run_snippet(
    code: str, tmp: Path, target: Target, sid: str, table: BenchTable, rows: list[Any]
) -> None:
    tmp.mkdir()
    module = import_snippet(code, tmp)
    shape = STRATEGIES[sid].shape
    dicts = [dict(zip(table.names, row, strict=True)) for row in rows]
    data: Any = {Shape.TUPLES: rows, Shape.DICTS: dicts}.get(shape)
    if shape is Shape.PANDAS:
        data = pandas_frame(table.spec.insert_columns, rows)
    elif shape is Shape.OBJECTS:
        engine = sa.create_engine("postgresql+psycopg://", creator=target.connect)
        try:
            module["Reflected"].prepare(engine)  # as the snippet says: before making objects
        finally:
            engine.dispose()
        model: Callable[..., Any] = module[table.snippet_table.model]
        data = [model(**d) for d in dicts]
    call_snippet(sid, module["insert_rows"], data, target.session_conninfo())


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

        for sid in COMPARED:
            if unsupported(sid, semantics):
                continue
            w = workload(_shape(sid), semantics.upsert, semantics.returning, ROWS)
            code = snippet(sid, w, table.snippet_table)
            check_tidy(code)
            strategy = create(sid, target, table)
            try:
                start()
                with recorded(monkeypatch, table.name) as benchmarked:
                    strategy.open()  # recorded from its connection on (psycopg2's cursors)
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
@pytest.mark.parametrize("sid", ALL_IDS)
def test_every_form_is_tidy_for_the_standard_table(sid: str, name: str) -> None:
    """The forms the rules do not recommend (a merge, COPY through a staging table) too."""
    semantics = SEMANTICS[name]
    w = workload(_shape(sid), semantics.upsert, semantics.returning, ROWS)
    check_tidy(snippet(sid, w, STANDARD_TABLE))
