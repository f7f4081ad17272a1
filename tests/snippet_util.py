"""What the snippet tests share: the variants the rules can produce, and running a snippet as
a user would (saved to a file and imported)."""

import ast
import importlib.util
import itertools
import sys
from pathlib import Path
from typing import Any

import pytest

from advisor.advice.properties import usable
from advisor.snippets import BUILDERS
from advisor.workload import InputShape, Workload


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
