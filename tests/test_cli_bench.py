"""`advisor bench` and `advisor strategies` through the entry point."""

import io
import json
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from advisor.bench.events import Progress
from advisor.bench.server import Target
from advisor.bench.strategies import IMPLEMENTATIONS
from advisor.bench.strategies.driver import DriverCopy
from advisor.cli.bench import BenchProgress
from advisor.strategy_info import ALL_IDS, GROUPS
from tests.cli_util import alive, assert_usage_error, results_rows, run_cli, start_advisor
from tests.dbutil import dsn_with_password, sandbox_exists
from tests.waiting import PATIENCE_S, wait_until

SMALL = ("--rows", "300", "--repeat", "2", "--warmup", "0", "--no-memory")


def test_strategies_lists_every_id_by_group_with_layer_input_and_availability(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(capsys, "strategies")
    assert result.code == 0
    lines = result.out.splitlines()
    groups = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    assert groups[:-1] == list(GROUPS) and groups[-1] == "advisor"
    rows = [line.split() for line in lines if line.startswith("  ") and line.split()[0] in ALL_IDS]
    assert [cells[0] for cells in rows] == list(ALL_IDS)
    by_id = {cells[0]: cells for cells in rows}
    assert by_id["driver_copy_binary"][1:4] == ["driver", "tuples", "available"]
    assert by_id["pandas_copy"][1:5] == ["dataframe", "pandas", "DataFrame", "available"]
    assert by_id["adbc_ingest"][1:5] == ["dataframe", "Arrow", "table", "available"]
    assert by_id["async_orm_add_all"][1:5] == ["orm", "ORM", "objects", "available"]
    assert "unit of work" in result.out, "each strategy says what it is for"


def test_bench_prints_table_chart_and_exports(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    json_file, md_file = tmp_path / "r.json", tmp_path / "r.md"
    result = run_cli(
        capsys,
        "bench",
        *SMALL,
        "--strategies",
        "driver_copy,core_execute",
        "--dsn",
        dsn,
        "--json",
        str(json_file),
        "--markdown",
        str(md_file),
    )
    assert result.code == 0, result.err
    assert "server: PostgreSQL" in result.err
    rows = results_rows(result.out)  # not the chart's bar labels, nor a note naming one
    assert set(rows) == {"driver_copy", "core_execute"}
    assert all("yes" in cells for cells in rows.values()), rows
    assert "server ceiling:" in result.out
    assert "rows/s, median" in result.out, "the chart is drawn by default"

    data = json.loads(json_file.read_text())
    assert sorted(item["strategy"] for item in data["results"]) == ["core_execute", "driver_copy"]
    assert data["plan"]["rows"] == 300 and data["plan"]["strategies"] == [
        "core_execute",
        "driver_copy",
    ]
    assert set(data["environment"]) >= {
        "python",
        "psycopg",
        "sqlalchemy",
        "server_version",
        "cpu_count",
        "target",
    }
    for item in data["results"]:
        assert {"strategy", "layer", "rows", "runs_s", "median_s", "rows_per_s", "verified"} <= set(
            item
        )
        assert len(item["runs_s"]) == 2 and item["verified"] is True
        assert min(item["runs_s"]) <= item["median_s"] <= max(item["runs_s"])
    assert data["ceiling"]["verified"] is True

    md = md_file.read_text()
    assert "| strategy | layer | median |" in md
    assert "| driver_copy | driver |" in md


@pytest.mark.parametrize("group", ["dataframe", "async", "psycopg2"])
def test_bench_takes_a_group_name(capsys: pytest.CaptureFixture[str], dsn: str, group: str) -> None:
    result = run_cli(
        capsys,
        *("bench", "--rows", "200", "--repeat", "1", "--warmup", "0", "--no-memory"),
        *("--no-ceiling", "--no-chart", "--strategies", group, "--dsn", dsn, "--json", "-"),
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["plan"]["strategies"] == list(GROUPS[group])
    assert [r["strategy"] for r in data["results"]] == list(GROUPS[group])
    assert all(r["verified"] for r in data["results"]), data["results"]
    table = {line.split()[0] for line in result.err.splitlines() if line.split()}
    assert set(GROUPS[group]) <= table, "the table is on stderr"


def test_bench_runs_the_seed_articles_eight_by_default() -> None:
    from advisor.cli.bench import bench

    option = next(p for p in bench.params if p.name == "strategy_ids")
    assert option.default == "sync"
    assert "sync (the seed article's eight), dataframe" in (option.help or "")


def test_json_to_stdout_is_pure_json_and_the_table_moves_to_stderr(
    capsys: pytest.CaptureFixture[str], dsn: str
) -> None:
    result = run_cli(
        capsys, "bench", *SMALL, "--strategies", "driver_copy", "--dsn", dsn, "--json", "-"
    )
    assert result.code == 0
    assert json.loads(result.out)["results"][0]["strategy"] == "driver_copy"
    assert "driver_copy" in result.err and "rows/s" in result.err


def test_markdown_to_stdout(capsys: pytest.CaptureFixture[str], dsn: str) -> None:
    result = run_cli(
        capsys,
        "bench",
        *SMALL,
        "--strategies",
        "driver_unnest",
        "--dsn",
        dsn,
        "--markdown",
        "-",
        "--no-chart",
        "--no-ceiling",
    )
    assert result.code == 0
    assert result.out.startswith("## pg-insert-advisor benchmark")
    assert "| driver_unnest | driver |" in result.out
    assert "rows/s, median" not in result.out + result.err


def test_a_password_in_the_dsn_is_never_printed_or_exported(
    capsys: pytest.CaptureFixture[str], target: Target, tmp_path: Path
) -> None:
    with_password = dsn_with_password(target, "TopSecret42")
    out = tmp_path / "r.json"
    result = run_cli(
        capsys,
        "bench",
        *SMALL,
        "--strategies",
        "driver_copy",
        "--dsn",
        with_password,
        "--json",
        str(out),
        "--markdown",
        "-",
    )
    assert result.code == 0, result.err
    assert "| driver_copy | driver |" in result.out, "the run went through, with the password"
    assert "TopSecret42" not in result.out + result.err + out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rows", "0"), "at least 1"),
        (("--rows", "-3"), "positive count"),
        (("--rows", "lots"), "positive count"),
        (("--strategies", "driver_cpy"), "did you mean 'driver_copy'"),
        (("--repeat", "0"), "--repeat"),
        (("--data", "weird"), "--data"),
        (("--json", "/no/such/dir/out.json"), "does not exist"),
        (("--dsn", "postgresql://u:Hunter2@127.0.0.1:1/db"), "cannot connect"),
        (("--dsn", "bogus_key=1 password=Hunter2"), "invalid DSN"),
        (("--dsn", "host=127.0.0.1", "password=Hunter2"), "unexpected extra argument"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    result = run_cli(capsys, "bench", *args)
    assert_usage_error(result, "bench", message)
    if any("Hunter2" in arg for arg in args):
        assert "Hunter2" not in result.err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_an_interrupted_bench_exits_130_and_drops_the_sandbox(
    target: Target, dsn: str, sig: signal.Signals
) -> None:
    """How fast it stops is a `make bench` target; here: that it stops, and cleanly."""
    args = ("--rows", "200k", "--strategies", "orm_add_all", "--no-ceiling", "--no-chart")
    proc = start_advisor("bench", "--dsn", dsn, *args)
    try:
        wait_until(lambda: alive(proc) and sandbox_exists(target), "the benchmark to start")
        time.sleep(1.0)  # inside the first ORM run (200k rows take far longer)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=PATIENCE_S)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not sandbox_exists(target)


def test_a_strategy_that_failed_exports_strict_json(
    capsys: pytest.CaptureFixture[str], dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No NaN for the figures of a strategy that never finished a run: strict parsers reject it."""

    class Fails(DriverCopy):
        def insert(self, batches: object) -> None:
            raise ValueError("cannot take these rows")

    monkeypatch.setitem(IMPLEMENTATIONS, "driver_copy", Fails)
    result = run_cli(
        capsys, "bench", *SMALL, "--strategies", "driver_copy", "--dsn", dsn, "--json", "-"
    )
    assert result.code == 0, result.err

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    (item,) = json.loads(result.out, parse_constant=refuse)["results"]
    assert item["error"] == "ValueError: cannot take these rows" and item["verified"] is False
    assert "median_s" not in item


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_events_and_runs_no_thread_beside_the_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refresh thread would compete with the timed insert for the GIL: the bar is drawn
    when the runner reports, which it does only while its clock is paused."""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    threads = threading.active_count()
    with BenchProgress() as progress:
        assert progress.enabled
        progress.handle(Progress("driver_copy", "run", 1, 3, 0, 300, 0, 6))
        assert threading.active_count() == threads, "no refresh thread while it is shown"
        drawn = terminal.getvalue()
        assert "rows" in drawn and "0/300" in drawn, drawn
