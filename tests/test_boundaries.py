"""Domain modules never import Textual: the TUI is a thin layer over them."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"
UI_ONLY = {"textual", "textual_plotext"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_outside_tui_imports_textual() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & UI_ONLY)
        for path in PACKAGE.rglob("*.py")
        if "tui" not in path.relative_to(PACKAGE).parts and _imported_roots(path) & UI_ONLY
    }
    assert offenders == {}


def test_the_headless_engine_runs_without_loading_textual() -> None:
    modules = [
        f"advisor.{p.relative_to(PACKAGE).with_suffix('').as_posix().replace('/', '.')}"
        for p in PACKAGE.rglob("*.py")
        if "tui" not in p.parts and p.name not in ("__main__.py", "__init__.py")
    ]
    code = f"import sys, {', '.join(modules)}; print(sorted(m for m in sys.modules if m.split('.')[0] in {UI_ONLY!r}))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


HEAVY = ("pandas", "polars", "pyarrow", "adbc_driver_postgresql", "adbc_driver_manager")
HEAVY += ("asyncpg", "psycopg2", "numpy", "greenlet")


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
