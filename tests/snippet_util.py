"""What the snippet tests share: the variants the rules can produce, and running a snippet as
a user would (saved to a file and imported)."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from advisor.advice.rules import usable
from advisor.snippets import BUILDERS
from advisor.strategy_info import STRATEGIES, Layer
from advisor.workload import InputShape, Workload

if TYPE_CHECKING:
    import psycopg
    import sqlalchemy as sa


def workload(shape: str, upsert: bool, returning: bool, rows: int) -> Workload:
    return Workload.from_dict(
        {
            "shape": shape,
            "rows": rows,
            "correctness": "medium",
            "frequency": "daily",
            "upsert": upsert,
            "returning": returning,
        }
    )


def variants(rows: int) -> list[tuple[str, Workload]]:
    """Every combination of strategy, shape, upsert and returning the rules can recommend."""
    return [
        (sid, w)
        for sid, shape, upsert, returning in itertools.product(
            BUILDERS, (s.value for s in InputShape), (False, True), (False, True)
        )
        if usable(sid, w := workload(shape, upsert, returning, rows))
    ]


def variant_id(strategy: str, w: Workload) -> str:
    return f"{strategy}-{w.shape}{'-upsert' * w.upsert}{'-returning' * w.returning}"


def params(rows: int) -> list[Any]:
    return [pytest.param(sid, w, id=variant_id(sid, w)) for sid, w in variants(rows)]


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


def check_tidy(code: str) -> None:
    """Valid Python in 79 columns, importing only what it uses."""
    tree = ast.parse(code)
    long = [line for line in code.splitlines() if len(line) > 79]
    assert not long, long
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert imported <= used, f"unused imports: {imported - used}"


def shaped(
    w: Workload,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    model: Callable[..., Any],
    csv_file: Callable[[], str],
) -> Any:
    """The rows in the workload's shape, as the user's code would hold them: tuples, dicts,
    objects made by `model`, or the path `csv_file` writes them to."""
    if w.shape is InputShape.CSV:
        return csv_file()
    if w.shape is InputShape.TUPLES:
        return rows
    dicts = [dict(zip(names, row, strict=True)) for row in rows]
    return dicts if w.shape is InputShape.DICTS else [model(**d) for d in dicts]


def call_snippet(
    ns: dict[str, Any],
    strategy: str,
    w: Workload,
    data: Any,
    connect: Callable[[], psycopg.Connection[Any]],
    engine: sa.Engine,
) -> Any:
    """Call the snippet's function as its comments tell the user to: a psycopg connection
    (from `connect`, closed afterwards) for the driver strategies, an engine for the others."""
    function = ns["load_csv" if w.shape is InputShape.CSV else "insert_rows"]
    if STRATEGIES[strategy].layer is Layer.DRIVER:
        with connect() as conn:
            return function(conn, data)
    return function(engine, data)
