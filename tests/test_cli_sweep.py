"""`advisor bench --sweep` and `--rtt-ms` through the entry point, and their files."""

from __future__ import annotations

import json
import math
import signal
import time
from pathlib import Path

import psutil
import pytest

from advisor.advice.conversions import conversion
from advisor.advice.estimates import CONNECT_S
from advisor.bench.server import Target
from advisor.results import SweepReport
from advisor.workload import InputShape
from tests.cli_util import alive, assert_usage_error, exit_code, run_cli, start_advisor
from tests.dbutil import dsn_with_password, sandbox_exists
from tests.waiting import PATIENCE_S, wait_until

QUICK = ("--repeat", "1", "--warmup", "0", "--no-memory", "--no-ceiling")
SWEPT = ("core_execute", "driver_copy")
RECOMMEND = ("--shape", "tuples", "--correctness", "low", "--frequency", "daily", "--json")


@pytest.fixture(scope="module")
def sweep_run(dsn: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A three-point sweep written by the CLI, and what it printed."""
    path = tmp_path_factory.mktemp("sweep") / "sweep.json"
    markdown = path.with_suffix(".md")
    args = ["bench", "--sweep", "100..1k", "--points", "3", "--strategies", ",".join(SWEPT)]
    code = exit_code(*args, *QUICK, "--dsn", dsn, "--json", str(path), "--markdown", str(markdown))
    assert code == 0
    return path, markdown.read_text()


def test_a_sweep_keeps_every_verified_point(sweep_run: tuple[Path, str]) -> None:
    path, _ = sweep_run
    data = json.loads(path.read_text())
    assert data["kind"] == "sweep" and data["volumes"] == [100, 320, 1_000]
    assert [p["plan"]["rows"] for p in data["points"]] == [100, 320, 1_000]
    for point in data["points"]:
        assert {r["strategy"] for r in point["results"]} == set(SWEPT)
        for result in point["results"]:
            assert result["verified"] is True and len(result["runs_s"]) == 1
            assert result["rows"] == point["plan"]["rows"]
        assert point["environment"]["rtt_ms"] > 0
    assert isinstance(data["crossovers"], list) and data["crossovers"]
    assert all(
        c["text"] and c["kind"] in ("overtake", "close", "apart") for c in data["crossovers"]
    )
    sweep = SweepReport.from_dict(data)
    assert sweep.series().keys() == set(SWEPT) and all(len(p) == 3 for p in sweep.series().values())


def test_a_sweep_prints_tables_crossovers_and_two_log_charts(
    capsys: pytest.CaptureFixture[str], dsn: str
) -> None:
    result = run_cli(
        capsys,
        "bench",
        "--sweep",
        "100..300",
        "--points",
        "2",
        "--strategies",
        "driver_copy,driver_unnest",
        *QUICK,
        "--dsn",
        dsn,
    )
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("sweep over 2 volumes (100, 300 rows), 1 run each, standard data")
    assert "round trip to the server:" in out and "round trip to the server:" in result.err
    assert out.count("100 rows") >= 2 and "300 rows" in out
    assert "rows/s, median against rows per run (both axes log)" in out
    assert "seconds per run, median against rows per run (both axes log)" in out
    crossovers = out[out.index("crossovers:") :].splitlines()[1]
    assert "driver_copy" in crossovers and "driver_unnest" in crossovers


def test_the_sweep_markdown_says_how_it_was_measured(sweep_run: tuple[Path, str]) -> None:
    _, md = sweep_run
    assert md.startswith("## pg-insert-advisor volume sweep")
    assert "| strategy | 100 rows | 320 rows | 1k rows |" in md
    assert "### crossovers" in md and "round trip to the server:" in md


def test_recommend_uses_every_point_of_a_sweep(
    sweep_run: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = sweep_run
    series = SweepReport.from_dict(json.loads(path.read_text())).series()
    result = run_cli(capsys, "recommend", *RECOMMEND, "--rows", "550", "--from-bench", str(path))
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert "3 volumes, 100 to 1,000 rows" in data["estimate_source"]
    estimates = {a["strategy"]: a["estimate_s"] for a in data["alternatives"]}
    estimates[data["strategy"]] = data["estimate_s"]
    for sid in SWEPT:
        (_, _), (_, at_320), (_, at_1k) = series[sid]
        # 550 rows lie between 320 and 1k: a power law through those two points, by hand
        exponent = math.log(at_1k / at_320) / math.log(1_000 / 320)
        between = at_320 * (550 / 320) ** exponent
        # core_execute takes dicts: turning the tuples into dicts is charged on top
        convert = conversion(InputShape.TUPLES, sid)
        fixed = CONNECT_S + (convert.seconds(550) if convert else 0.0)
        assert estimates[sid] == pytest.approx(between + fixed), sid
        one_point = at_1k * 550 / 1_000 + fixed
        assert estimates[sid] != pytest.approx(one_point), "the sweep's other points are used"
    assert conversion(InputShape.TUPLES, "core_execute") is not None


def test_a_bench_through_the_proxy_says_so_everywhere(
    capsys: pytest.CaptureFixture[str], target: Target, tmp_path: Path
) -> None:
    secret = dsn_with_password(target, "Pr0xyPw")
    json_file = tmp_path / "far.json"
    result = run_cli(
        capsys,
        "bench",
        "--rows",
        "200",
        "--rtt-ms",
        "4",
        "--strategies",
        "driver_copy,orm_add_all",
        *QUICK,
        "--dsn",
        secret,
        "--json",
        str(json_file),
        "--markdown",
        "-",
    )
    assert result.code == 0, result.err
    assert "simulated 4 ms by a loopback proxy" in result.err  # header and human summary
    assert (
        "| driver_copy | driver |" in result.out
        and "simulated 4 ms by a loopback proxy" in result.out
    )
    data = json.loads(json_file.read_text())
    assert data["plan"]["simulated_rtt_ms"] == 4.0
    assert data["environment"]["proxied_rtt_ms"] >= 4.0
    assert [(r["strategy"], r["verified"]) for r in data["results"]] == [
        ("orm_add_all", True),
        ("driver_copy", True),
    ]
    assert "Pr0xyPw" not in result.out + result.err + json_file.read_text()

    refused = run_cli(
        capsys, "recommend", *RECOMMEND, "--rows", "1k", "--from-bench", str(json_file)
    )
    assert refused.code == 2
    assert "measured through a simulated 4 ms round trip" in refused.err


def test_a_saved_simulated_bench_is_rerun_at_the_same_distance(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    path = tmp_path / "far.toml"
    saved = run_cli(
        capsys,
        "bench",
        "--rows",
        "200",
        "--rtt-ms",
        "2",
        "--strategies",
        "driver_copy",
        *QUICK,
        "--dsn",
        dsn,
        "--save",
        str(path),
        "--no-chart",
    )
    assert saved.code == 0, saved.err
    assert "simulated_rtt_ms = 2.0" in path.read_text()
    again = run_cli(capsys, "rerun", str(path), "--dsn", dsn, "--no-chart")
    assert again.code == 0, again.err
    assert "simulated 2 ms by a loopback proxy" in again.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sweep", "100"), "expected FROM..TO such as 100..1M"),
        (("--sweep", "1k..100"), "FROM must be below TO"),
        (("--sweep", "0..100"), "FROM must be at least 1"),
        (("--sweep", "100..lots"), "TO must be a positive count"),
        (("--sweep", "100..1k", "--rows", "5k"), "--sweep and --rows are mutually exclusive"),
        (("--points", "3"), "--points needs --sweep"),
        (("--sweep", "100..1k", "--points", "1"), "a sweep has 2 to 12 points, not 1"),
        (("--sweep", "100..1k", "--save", "x.toml"), "--save keeps one volume, not a sweep"),
        (("--rtt-ms", "-1"), "a round trip must be from 0 to 1000 ms, not -1"),
        (("--rtt-ms", "5000"), "from 0 to 1000 ms"),
        (("--rtt-ms", "nan"), "from 0 to 1000 ms"),
        (("--rtt-ms", "ten"), "expected a number of milliseconds such as 10 or 0.5, not 'ten'"),
    ],
)
def test_bad_sweep_and_rtt_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert_usage_error(run_cli(capsys, "bench", *args), "bench", message)


def test_ctrl_c_through_the_proxy_stops_it_and_drops_the_sandbox(target: Target, dsn: str) -> None:
    args = ("--rows", "50k", "--rtt-ms", "1", "--strategies", "orm_add_all")
    proc = start_advisor("bench", "--dsn", dsn, *args, "--no-ceiling", "--no-chart")
    proxies: list[psutil.Process] = []

    def started() -> bool:
        proxies[:] = [
            child
            for child in psutil.Process(proc.pid).children()
            if "advisor.bench.delayproxy" in " ".join(child.cmdline())
        ]
        return alive(proc) and bool(proxies) and sandbox_exists(target)

    try:
        wait_until(started, "the benchmark to start through the proxy")
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=PATIENCE_S)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert not sandbox_exists(target)
    (proxy,) = proxies
    assert not proxy.is_running(), "the proxy process outlived the run"
