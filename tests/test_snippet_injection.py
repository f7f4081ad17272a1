"""No name can inject code into a snippet: a table whose names carry newlines, quotes, a
backslash, #, triple quotes, % and ), unicode and Python keywords gets code with exactly the
statements and calls its plain twin gets, and that code runs (tests/test_snippets_table.py
runs every variant on the hostile table too)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from advisor.advice.properties import usable
from advisor.bench.introspect import snippet_table
from advisor.bench.server import Target
from advisor.snippets import snippet
from advisor.snippets.table import SnippetTable
from advisor.workload import Workload
from tests.shop import TWIN_NAME, hostile_table
from tests.snippet_util import variant_id, variants

pytestmark = pytest.mark.usefixtures("hostile")  # tests/fix_shop.py

DANGEROUS = {"__import__", "os", "eval", "exec", "compile", "system", "PWNED"}


@pytest.fixture(scope="module")
def tables(target: Target) -> tuple[SnippetTable, SnippetTable]:
    return snippet_table(target, hostile_table()), snippet_table(target, hostile_table(TWIN_NAME))


def _shape(code: str, model: str) -> tuple[list[str], set[str], set[str]]:
    """Top-level statement kinds, the calls made (the mapped class as MODEL, a getattr as
    what it reads), and every name used."""
    tree = ast.parse(code)  # a name that ended a string or comment would fail here first
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func).replace(model, "MODEL")
            calls.add("attribute read" if func == "getattr" else func)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            pass  # obj.name and getattr(obj, "name") are the same read
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return [type(s).__name__ for s in tree.body], calls, names


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
    bad_kinds, bad_calls, bad_names = _shape(snippet(strategy, w, hostile), hostile.model)
    kinds, calls, names = _shape(snippet(strategy, w, twin), twin.model)
    assert bad_kinds == kinds, "a statement was added or lost"
    assert bad_calls - {"attribute read"} <= calls, bad_calls - calls
    assert not (bad_names - names) & DANGEROUS
    assert not bad_names & DANGEROUS - names
