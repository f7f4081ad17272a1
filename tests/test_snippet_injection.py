"""No name can inject code into a snippet: a table whose names carry newlines, quotes, a
backslash, #, triple quotes, % and ), unicode and Python keywords gets code with exactly the
statements and calls its plain twin gets, and that code runs (tests/test_snippets_table.py
runs every variant on the hostile table too)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import NamedTuple

import pytest

from advisor.advice.properties import usable
from advisor.bench.introspect import snippet_table
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.results import Semantics
from advisor.snippets import snippet
from advisor.snippets.table import SnippetTable
from advisor.strategy_info import ALL_IDS, SYNC_IDS
from advisor.workload import Workload
from tests.plans import quick_plan
from tests.shop import TWIN_NAME, hostile_table
from tests.snippet_util import variant_id, variants

pytestmark = pytest.mark.usefixtures("hostile")  # tests/fix_shop.py

# Names that cannot be placeholders or attrgetter paths are read by position or getattr.
REREAD = {"attribute read", "itemgetter", "itemgetter(*COLUMNS)", "tuple"}
DANGEROUS = {"__import__", "os", "eval", "exec", "compile", "system", "PWNED"}


@pytest.fixture(scope="module")
def tables(target: Target) -> tuple[SnippetTable, SnippetTable]:
    return snippet_table(target, hostile_table()), snippet_table(target, hostile_table(TWIN_NAME))


class Shape(NamedTuple):
    statements: list[str]  # top-level statement kinds, imports aside
    imported: set[str]  # "module" or "module.name"
    calls: set[str]  # what is called, the mapped class as MODEL, a getattr as what it reads
    names: set[str]


def _statement(node: ast.stmt) -> str:
    """A top-level statement as its kind and what it defines."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return f"{type(node).__name__} {node.name}"
    if isinstance(node, ast.Assign):
        return f"Assign {', '.join(ast.unparse(t) for t in node.targets)}"
    return type(node).__name__


def _shape(code: str, model: str) -> Shape:
    tree = ast.parse(code)  # a name that ended a string or comment would fail here first
    imported, calls = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func).replace(model, "MODEL")
            calls.add("attribute read" if func == "getattr" else func)
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{a.name}" for a in node.names}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    kinds = [
        _statement(s).replace(model, "MODEL")
        for s in tree.body
        if not isinstance(s, ast.Import | ast.ImportFrom)
    ]
    return Shape(kinds, imported, calls, names)


def _variants() -> Iterator[tuple[str, Workload]]:
    yield from variants(5)


@pytest.mark.parametrize(
    ("strategy", "w"), [pytest.param(s, w, id=variant_id(s, w)) for s, w in _variants()]
)
def test_hostile_names_make_the_same_code_as_plain_ones(
    strategy: str, w: Workload, tables: tuple[SnippetTable, SnippetTable]
) -> None:
    hostile, twin = tables
    if not usable(strategy, w):
        pytest.skip("not a snippet the advice can give")
    bad = _shape(snippet(strategy, w, hostile), hostile.model)
    plain = _shape(snippet(strategy, w, twin), twin.model)
    # Only a COLUMNS constant may be added: for rows read by position, in its order.
    assert [s for s in bad.statements if s != "Assign COLUMNS" or s in plain.statements] == (
        plain.statements
    ), "a statement was added or lost"
    assert bad.imported <= plain.imported | {"operator.itemgetter"}, bad.imported - plain.imported
    assert bad.calls - REREAD <= plain.calls, bad.calls - plain.calls
    assert not bad.names & DANGEROUS - plain.names


@pytest.mark.parametrize(
    ("upsert", "returning"), [(False, False), (True, True)], ids=["insert", "upsert-returning"]
)
def test_every_strategy_benchmarks_the_hostile_table(
    target: Target, upsert: bool, returning: bool
) -> None:
    """The strategies run the SQL the snippets show (advisor/snippets/sql.py): on the hostile
    table too, every one of them inserts and verifies."""
    semantics = Semantics(upsert=upsert, returning=returning)
    plan = quick_plan(table=hostile_table(), rows=60, strategies=ALL_IDS, semantics=semantics)
    report = run_benchmark(target, plan)
    ran = [r for r in report.results if not r.not_run]
    assert len(ran) >= len(SYNC_IDS)
    for r in ran:
        assert r.error is None and r.verified, (r.strategy, r.error, r.problem)
