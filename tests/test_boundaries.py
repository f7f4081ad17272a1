"""The package's boundaries, read from every import in its source.

Layers, lowest first (DESIGN.md): base <- snippets <- advice <- bench <- report <- profiles <-
cli/tui, where base is the modules directly in `advisor/` and cli and tui are one level. A
module imports only from its own layer or lower ones; `advisor/__main__.py` sits above them
all. Every import counts, module-level and function-local alike, except those under
`if TYPE_CHECKING:` (they never run). Textual belongs to tui/ alone, and the run-time import
graph has no cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import advisor

PACKAGE = Path(advisor.__file__).resolve().parent
LAYERS = ("base", "snippets", "advice", "bench", "report", "profiles", "cli", "tui")
LEVEL = {layer: LAYERS.index(layer) for layer in LAYERS} | {"tui": LAYERS.index("cli")}
TOP = "advisor.__main__"
UI_ONLY = frozenset({"textual", "textual_plotext"})


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@dataclass(frozen=True)
class Import:
    importer: str
    line: int
    imported: str  # an advisor module, or the top-level name of a third-party package

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "base"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_time_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, leaving out the bodies of `if TYPE_CHECKING:` (their `else:` runs)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.append(node.test)
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def _resolve(package: str, node: ast.ImportFrom) -> str:
    """The absolute module name of a `from` import made in `package`, relative ones included."""
    if node.level == 0:
        return node.module or ""
    base = package.rsplit(".", node.level - 1)[0]
    return f"{base}.{node.module}" if node.module else base


def _imported(name: str) -> str:
    """An advisor module by its name (a name that is no module: its nearest package); anything
    else by its top-level name."""
    root = name.partition(".")[0]
    if root != "advisor":
        return root
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports_in(source: str, importer: str, is_package: bool = False) -> list[Import]:
    """The run-time imports in `source`, the text of module `importer`."""
    package = importer if is_package else importer.rpartition(".")[0]
    found = []
    for node in _run_time_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(package, node)
            # `from package import module` imports that module too (other names are `module`'s)
            submodules = [f"{module}.{alias.name}" for alias in node.names]
            names = [module, *(name for name in submodules if name in MODULES)]
        else:
            continue
        for imported in dict.fromkeys(map(_imported, names)):
            if imported != importer:
                found.append(Import(importer, node.lineno, imported))
    return found


IMPORTS = [
    imp
    for module, path in MODULES.items()
    for imp in imports_in(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
]
INTERNAL = [imp for imp in IMPORTS if imp.imported in MODULES]

SAMPLE = """
from typing import TYPE_CHECKING

import advisor.units
import psycopg.conninfo as conninfo
from advisor.bench import runner
from advisor.report.bench import network_line
from . import console
from ..advice.rules import recommend

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp
else:
    from advisor.errors import InputError


def later() -> None:
    import textual.app
    from advisor.profiles import profile
"""


def test_the_walk_finds_every_run_time_import_and_no_type_only_one() -> None:
    found = sorted((imp.line, imp.imported) for imp in imports_in(SAMPLE, "advisor.cli.sample"))
    assert found == [
        (2, "typing"),
        (4, "advisor.units"),
        (5, "psycopg"),
        (6, "advisor.bench"),
        (6, "advisor.bench.runner"),
        (7, "advisor.report.bench"),
        (8, "advisor.cli"),
        (8, "advisor.cli.console"),
        (9, "advisor.advice.rules"),
        (14, "advisor.errors"),
        (18, "textual"),
        (19, "advisor.profiles"),
        (19, "advisor.profiles.profile"),
    ]


def test_the_package_has_function_local_and_type_only_imports_to_check() -> None:
    assert {"advisor", TOP, "advisor.cli", "advisor.tui.app", "advisor.bench.runner"} <= set(
        MODULES
    )
    every_import_line = {
        (module, node.lineno)
        for module, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    walked = {(imp.importer, imp.line) for imp in IMPORTS}
    assert every_import_line - walked, "some imports are type-only, and left out"
    nested = {
        (module, node.lineno)
        for module, path in MODULES.items()
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    assert nested and nested <= walked, "function-local imports are checked like the others"


def test_every_layer_imports_only_its_own_or_lower_layers() -> None:
    upward = [
        str(imp)
        for imp in INTERNAL
        if imp.importer != TOP and LEVEL[layer(imp.imported)] > LEVEL[layer(imp.importer)]
    ]
    assert upward == []


def test_main_imports_only_the_command_line() -> None:
    assert {imp.imported for imp in INTERNAL if imp.importer == TOP} <= {
        m for m in MODULES if layer(m) == "cli"
    }


@pytest.mark.parametrize(
    ("importer_layer", "forbidden"),
    [
        ("advice", {"bench"}),  # advice never needs a database
        ("bench", {"report", "profiles", "cli", "tui"}),
        ("tui", {"cli"}),  # one level, but only the CLI needs the other: it starts the app
    ],
)
def test_named_boundaries(importer_layer: str, forbidden: set[str]) -> None:
    crossing = [
        str(imp)
        for imp in INTERNAL
        if layer(imp.importer) == importer_layer and layer(imp.imported) in forbidden
    ]
    assert crossing == []


def test_no_module_outside_tui_imports_textual() -> None:
    assert [
        str(imp) for imp in IMPORTS if imp.imported in UI_ONLY and layer(imp.importer) != "tui"
    ] == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for succ in edges:
                if succ not in index:
                    index[succ] = low[succ] = len(index)
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph[succ]))))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return sorted(components, key=len, reverse=True)


def _graph(edges: Iterable[tuple[str, str]], nodes: Iterable[str]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {node: set() for node in nodes}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    return graph


def test_strongly_connected_finds_cycles_and_only_cycles() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("f", "a")]
    components = strongly_connected(_graph(edges, "abcdefg"))
    assert sorted(map(tuple, components)) == [("a", "b", "c"), ("d", "e"), ("f",), ("g",)]


def test_the_run_time_import_graph_has_no_cycle() -> None:
    graph = _graph(((imp.importer, imp.imported) for imp in INTERNAL), MODULES)
    assert [c for c in strongly_connected(graph) if len(c) > 1] == []


# --- what importing a module loads, in a fresh interpreter ----------------------------------


def loaded_by(modules: Iterable[str]) -> set[str]:
    """Every module in sys.modules after importing `modules` in a new interpreter."""
    code = (
        f"import sys\nfor m in {sorted(modules)!r}: __import__(m)\nprint('\\n'.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def _roots(modules: Iterable[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_loaded_by_sees_what_an_import_brings_in() -> None:
    loaded = loaded_by(["advisor.tui.app"])
    assert {"advisor.tui.app", "textual"} <= loaded


HEADLESS = sorted(m for m in MODULES if layer(m) != "tui" and m != TOP)


def test_the_headless_modules_run_without_loading_textual() -> None:
    loaded = loaded_by(HEADLESS)
    assert set(HEADLESS) <= loaded
    assert _roots(loaded) & UI_ONLY == set()


def test_the_advice_needs_no_database_library_and_no_bench_module() -> None:
    loaded = loaded_by(["advisor.advice.rules"])
    assert "advisor.advice.rules" in loaded
    assert _roots(loaded) & {"sqlalchemy", "psycopg", "textual"} == set()
    assert sorted(m for m in loaded if m.startswith("advisor.bench")) == []


def test_the_snippets_and_the_workload_need_no_database_library() -> None:
    modules = [m for m in MODULES if layer(m) in ("base", "snippets", "advice") and m != TOP]
    loaded = loaded_by(modules)
    assert set(modules) <= loaded
    assert _roots(loaded) & {"sqlalchemy", "psycopg", "textual"} == set()


HEAVY: tuple[str, ...] = ("pandas", "polars", "pyarrow", "adbc_driver_postgresql")
HEAVY += ("adbc_driver_manager", "asyncpg", "psycopg2", "numpy", "greenlet")


def test_the_app_and_the_advice_import_no_optional_library() -> None:
    """They cost up to a second each to import (ADBC's dbapi pulls in pyarrow, polars and
    pandas): only a strategy that runs imports its library, inside its methods."""
    code = (
        "import sys\n"
        "import advisor.cli, advisor.bench.strategies, advisor.bench.runner\n"
        "from advisor.tui.app import make_app\n"
        "from advisor.tui.screens.questionnaire import QuestionnaireScreen\n"
        "from advisor.advice.plan import plan_for\n"
        "from advisor.advice.rules import recommend\n"
        "from advisor.workload import Workload\n"
        "from advisor.strategy_info import STRATEGIES\n"
        "for shape in ('dataframe', 'tuples', 'csv'):\n"
        "    for loop in (False, True):\n"
        "        rec = recommend(Workload.from_dict({'shape': shape, 'rows': '1M',"
        " 'correctness': 'medium', 'frequency': 'daily', 'asyncio': loop}))\n"
        "        plan_for(rec)\n"
        "[info.missing_module() for info in STRATEGIES.values()]\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
