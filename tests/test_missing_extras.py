"""Without an extra's libraries, its strategies are n/a (not run) with the pip line that adds
them, everywhere results are shown; the others run. The libraries are blocked in a fresh
interpreter (`sys.modules[name] = None` makes `import name` fail), as if not installed."""

import json
import os
import subprocess
import sys
from pathlib import Path

from advisor.strategy_info import GROUPS

DATAFRAME_EXTRA = "pip install 'pg-insert-advisor[dataframes]'"
ASYNC_EXTRA = "pip install 'pg-insert-advisor[async]'"


def _advisor(tmp: Path, blocked: tuple[str, ...], *args: str) -> subprocess.CompletedProcess[str]:
    (tmp / "sitecustomize.py").write_text(
        f"import sys\nfor name in {blocked!r}:\n    sys.modules[name] = None\n"
    )
    env = os.environ | {"PYTHONPATH": str(tmp)}
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_a_missing_extra_is_na_with_its_pip_line_and_the_rest_runs(
    dsn: str, tmp_path: Path
) -> None:
    blocked = ("pandas", "polars", "pyarrow", "adbc_driver_postgresql", "asyncpg")
    json_file, md_file = tmp_path / "r.json", tmp_path / "r.md"
    # driver_copy and psycopg_async_copy need nothing beyond the base install.
    result = _advisor(
        tmp_path,
        blocked,
        "bench",
        *(
            "--strategies",
            "dataframe,asyncpg_copy,async_orm_add_all,psycopg_async_copy,driver_copy",
        ),
        *("--rows", "200", "--repeat", "1", "--warmup", "0", "--no-memory", "--no-ceiling"),
        *("--no-chart", "--dsn", dsn, "--json", str(json_file), "--markdown", str(md_file)),
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line}
    for sid in (*GROUPS["dataframe"], "asyncpg_copy", "async_orm_add_all"):
        assert rows[sid][-2:] == ["n/a", "—"], rows[sid]
    assert rows["driver_copy"][-2] == "yes" and rows["psycopg_async_copy"][-2] == "yes"
    lines = result.stdout.splitlines()
    expected = [
        f"n/a (not run): pandas_to_sql, pandas_to_sql_multi, pandas_copy: needs pandas: {DATAFRAME_EXTRA}",
        f"n/a (not run): polars_adbc: needs polars: {DATAFRAME_EXTRA}",
        f"n/a (not run): adbc_ingest: needs pyarrow: {DATAFRAME_EXTRA}",
        f"n/a (not run): async_orm_add_all, asyncpg_copy: needs asyncpg: {ASYNC_EXTRA}",
    ]
    for line in expected:
        assert line in lines, result.stdout
        assert f"- {line}" in md_file.read_text()
    assert "| pandas_copy | dataframe | — | — | — | — | — | n/a | — |" in md_file.read_text()
    by_id = {r["strategy"]: r for r in json.loads(json_file.read_text())["results"]}
    assert by_id["adbc_ingest"]["unavailable"] == f"needs pyarrow: {DATAFRAME_EXTRA}"
    assert by_id["adbc_ingest"]["verified"] is False and by_id["adbc_ingest"]["runs_s"] == []
    assert by_id["driver_copy"]["unavailable"] is None and by_id["driver_copy"]["verified"]


def test_strategies_lists_what_is_missing(tmp_path: Path) -> None:
    result = _advisor(tmp_path, ("psycopg2",), "strategies")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("  psycopg")]
    states = {cells[0]: " ".join(cells[3:]) for cells in rows}
    hint = "n/a: pip install 'pg-insert-advisor[psycopg2]'"
    assert states == {
        "psycopg_async_copy": "available",
        "psycopg2_execute_values": hint,
        "psycopg2_copy_expert": hint,
    }
