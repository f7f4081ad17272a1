"""What the snippet tests share: the variants the rules can produce, running a snippet as a
user would (saved to a file and imported), and handing it the connection its library takes."""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import inspect
import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from advisor.advice.properties import usable
from advisor.bench.connections import asyncpg_arguments
from advisor.snippets import BUILDERS
from advisor.strategy_info import STRATEGIES, Group, Layer
from advisor.workload import InputShape, Workload

if TYPE_CHECKING:
    pass


def workload(
    shape: str, upsert: bool, returning: bool, rows: int, asyncio: bool = False
) -> Workload:
    return Workload.from_dict(
        {
            "shape": shape,
            "rows": rows,
            "correctness": "medium",
            "frequency": "daily",
            "upsert": upsert,
            "returning": returning,
            "asyncio": asyncio,
        }
    )


def _loops(sid: str) -> tuple[bool, ...]:
    """The asyncio answers whose code differs: an asyncio strategy is async either way; a
    DataFrame path moves off the loop inside one; the others cannot run inside one."""
    info = STRATEGIES[sid]
    if info.group is Group.ASYNC:
        return (True,)
    return (False, True) if info.layer is Layer.DATAFRAME else (False,)


def variants(rows: int) -> list[tuple[str, Workload]]:
    """Every combination of strategy, shape, upsert, returning and asyncio the rules can
    recommend (and the strategies they never pick, for whatever they are usable for)."""
    return [
        (sid, w)
        for sid, shape, upsert, returning in itertools.product(
            BUILDERS, (s.value for s in InputShape), (False, True), (False, True)
        )
        for loop in _loops(sid)
        if usable(sid, w := workload(shape, upsert, returning, rows, loop))
    ]


def variant_id(strategy: str, w: Workload) -> str:
    flags = f"{'-upsert' * w.upsert}{'-returning' * w.returning}"
    loop = "-in-loop" if w.asyncio and STRATEGIES[strategy].group is not Group.ASYNC else ""
    return f"{strategy}-{w.shape}{flags}{loop}"


# --- the first argument each library's snippet takes ------------------------------------------


async def _call_async(strategy: str, function: Callable[..., Any], data: Any, conninfo: str) -> Any:
    from psycopg.conninfo import conninfo_to_dict

    arguments = asyncpg_arguments(conninfo_to_dict(conninfo))
    if strategy in ("async_orm_add_all", "async_core_execute"):
        import asyncpg
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        engine = create_async_engine(
            "postgresql+asyncpg://",
            async_creator=lambda: asyncpg.connect(**arguments),
            poolclass=NullPool,
        )
        try:
            return await function(engine, data)
        finally:
            await engine.dispose()
    if strategy == "psycopg_async_copy":
        import psycopg

        async with await psycopg.AsyncConnection.connect(conninfo) as aconn:
            return await function(aconn, data)
    import asyncpg

    conn = await asyncpg.connect(**arguments)
    try:
        return await function(conn, data)
    finally:
        await conn.close()


def _sync_connection(strategy: str, conninfo: str) -> Any:
    info = STRATEGIES[strategy]
    if info.group is Group.PSYCOPG2:
        import psycopg2

        return psycopg2.connect(conninfo)
    if strategy in ("polars_adbc", "adbc_ingest"):
        import adbc_driver_postgresql.dbapi

        return adbc_driver_postgresql.dbapi.connect(conninfo)
    import psycopg

    return psycopg.connect(conninfo)


def call_snippet(strategy: str, function: Callable[..., Any], data: Any, conninfo: str) -> Any:
    """Run a snippet's function with what its library connects with; a coroutine (an
    asyncio strategy, or a DataFrame path moved off the loop) runs in a new event loop."""
    if STRATEGIES[strategy].group is Group.ASYNC:
        return asyncio.run(_call_async(strategy, function, data, conninfo))
    if STRATEGIES[strategy].layer is not Layer.DRIVER and strategy not in (
        "polars_adbc",
        "adbc_ingest",
    ):
        import psycopg
        import sqlalchemy as sa

        engine = sa.create_engine(
            "postgresql+psycopg://",
            creator=lambda: psycopg.connect(conninfo),
            poolclass=sa.NullPool,
        )
        try:
            return _finish(function(engine, data))
        finally:
            engine.dispose()
    conn = _sync_connection(strategy, conninfo)
    try:
        return _finish(function(conn, data))
    finally:
        conn.close()


def _finish(result: Any) -> Any:
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def params(rows: int) -> list[Any]:
    return [pytest.param(sid, w, id=variant_id(sid, w)) for sid, w in variants(rows)]


def sampled(cases: list[Any]) -> list[Any]:
    """The whole matrix for `make test-all`; `make test` runs a sample that still holds every
    strategy, every input shape and every strategy group's upsert and returning forms (and
    every table, where the cases have one): the first case of each, the others marked slow.
    A case's values end with (strategy, workload)."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for case in cases:
        *head, sid, w = case.values
        group = STRATEGIES[sid].group
        keys = {("strategy", sid), ("shape", w.shape), (group, w.upsert, w.returning)}
        keys |= {("case", *head)}
        if keys - seen:
            seen |= keys
            out.append(case)
        else:
            out.append(pytest.param(*case.values, id=case.id, marks=pytest.mark.slow))
    return out


def import_snippet(code: str, tmp: Path) -> dict[str, Any]:
    """The snippet saved as a file and imported, as a user would (mapped classes need that)."""
    path = tmp / "snippet.py"
    path.write_text(code)
    name = f"advisor_snippet_{tmp.name}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return vars(module)


def check_tidy(code: str, width: int | None = 79) -> None:
    """Valid Python in `width` columns, importing only what it uses."""
    tree = ast.parse(code)
    long = [line for line in code.splitlines() if width is not None and len(line) > width]
    assert not long, long
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert imported <= used, f"unused imports: {imported - used}"
