"""Estimates against real benchmarks on the embedded server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.advice.estimates import CONNECT_S, Estimator
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.cli import main
from advisor.results import BenchPlan, BenchReport
from advisor.workload import Workload

BENCH_ROWS = 5_000
MEASURED = ("core_execute", "driver_executemany", "driver_copy")


@pytest.mark.slow
def test_copy_estimate_is_within_2x_of_a_real_bench(target: Target) -> None:
    plan = BenchPlan(
        rows=100_000, strategies=["driver_copy"], repeat=3, warmup=1, memory=False, ceiling=False
    )
    result = run_benchmark(target, plan).results[0]
    assert result.verified, result.problem or result.error
    workload = Workload.from_dict(
        {"shape": "tuples", "rows": 100_000, "correctness": "low", "frequency": "daily"}
    )
    estimate = Estimator().estimate("driver_copy", workload).seconds
    assert 0.5 <= estimate / result.median_s <= 2.0, (estimate, result.median_s)


@pytest.fixture(scope="module")
def bench_file(dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small bench written by `advisor bench --json`, the file users will pass."""
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "bench",
                *("--rows", str(BENCH_ROWS), "--strategies", ",".join(MEASURED)),
                *("--repeat", "1", "--warmup", "0", "--no-memory", "--no-ceiling", "--no-chart"),
                *("--dsn", dsn, "--json", str(path)),
            ]
        )
    assert exited.value.code == 0
    return path


def test_recommend_from_a_real_bench_file(
    bench_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    report = BenchReport.from_dict(json.loads(bench_file.read_text()))
    median = {r.strategy: r.median_s for r in report.results if r.verified}
    assert set(median) == set(MEASURED)
    rows = 50_000
    args = ["--shape", "tuples", "--rows", "50k", "--correctness", "low", "--frequency", "daily"]
    with pytest.raises(SystemExit) as exited:
        main(["recommend", *args, "--from-bench", str(bench_file), "--json"])
    assert exited.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["estimate_source"].startswith("your bench (core_execute, driver_executemany")
    estimates = {a["strategy"]: a["estimate_s"] for a in data["alternatives"]}
    estimates[data["strategy"]] = data["estimate_s"]
    for sid in MEASURED:  # one measured volume: linear scaling, plus the connection
        expected = median[sid] * rows / BENCH_ROWS + CONNECT_S
        assert estimates[sid] == pytest.approx(expected), sid
    assert data["strategy"] in ("driver_executemany", "driver_copy")


def test_card_names_the_bench(bench_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    args = ["--shape", "dicts", "--rows", "1M", "--correctness", "medium", "--frequency", "once"]
    with pytest.raises(SystemExit) as exited:
        main(["recommend", *args, "--from-bench", str(bench_file)])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "Figures      your bench (core_execute, driver_executemany, driver_copy)" in out
