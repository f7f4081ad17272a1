"""Estimates against real runs on the embedded server: figures read from a real bench file,
and the round trips the model charges against those the strategies really wait for.

(How close an estimate from the reference figures comes to a live bench depends on the
machine: that is a `make bench` target, reported, not asserted here.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.advice.conversions import conversion
from advisor.advice.estimates import CONNECT_ROUND_TRIPS, CONNECT_S, round_trips
from advisor.bench.data.datagen import StandardData
from advisor.bench.server import Sandbox, Target
from advisor.bench.strategies import create
from advisor.bench.table import BenchTable
from advisor.results import BenchReport
from advisor.strategy_info import ALL_IDS
from advisor.tables import STANDARD
from advisor.workload import InputShape, Workload
from tests.cli_util import exit_code
from tests.roundtrips import RoundTripCounter

BENCH_ROWS = 5_000
MEASURED = ("core_execute", "driver_executemany", "driver_copy")


@pytest.fixture(scope="module")
def bench_file(dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small bench written by `advisor bench --json`, the file users will pass."""
    path = tmp_path_factory.mktemp("bench") / "bench.json"
    code = exit_code(
        "bench",
        *("--rows", str(BENCH_ROWS), "--strategies", ",".join(MEASURED)),
        *("--repeat", "1", "--warmup", "0", "--no-memory", "--no-ceiling", "--no-chart"),
        *("--dsn", dsn, "--json", str(path)),
    )
    assert code == 0
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
    assert exit_code("recommend", *args, "--from-bench", str(bench_file), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    source = data["estimate_source"]
    assert source.startswith("your bench, plain inserts (core_execute, driver_executemany"), source
    assert source.endswith(f"extrapolated from {BENCH_ROWS:,} to {rows:,} rows"), source
    estimates = {a["strategy"]: a["estimate_s"] for a in data["alternatives"]}
    estimates[data["strategy"]] = data["estimate_s"]
    for sid in MEASURED:  # one measured volume: linear scaling, plus the connection
        convert = conversion(InputShape.TUPLES, sid)  # core_execute takes dicts
        expected = median[sid] * rows / BENCH_ROWS + CONNECT_S
        expected += convert.seconds(rows) if convert else 0.0
        assert estimates[sid] == pytest.approx(expected), sid
    # Which driver strategy wins depends on this machine's figures (driver_copy_binary, not
    # measured, is scaled from them): only the layer is the answers' own.
    assert data["layer"] == "driver"


def test_card_names_the_bench(bench_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    args = ["--shape", "dicts", "--rows", "1M", "--correctness", "medium", "--frequency", "once"]
    assert exit_code("recommend", *args, "--from-bench", str(bench_file)) == 0
    words = " ".join(capsys.readouterr().out.split())  # the card wraps at 80 columns
    figures = "Figures your bench, plain inserts (core_execute, driver_executemany, driver_copy)"
    assert figures in words


# --- round trips ----------------------------------------------------------------------------

ROUND_TRIP_ROWS = 2_500  # 250 ORM bulk batches; unnest (10,000 rows a statement) sends one


def test_the_counter_counts_one_wait_per_query_and_one_per_pipeline(target: Target) -> None:
    with RoundTripCounter(target) as counter, counter.target.connect(autocommit=True) as conn:
        before = counter.round_trips
        for _ in range(3):
            conn.execute("SELECT 1")
        assert counter.round_trips - before == 3
        before = counter.round_trips
        with conn.pipeline():
            for _ in range(5):
                conn.execute("SELECT 1")
        assert counter.round_trips - before == 1


def test_connecting_takes_no_more_round_trips_than_the_model_charges(target: Target) -> None:
    with RoundTripCounter(target) as counter:
        with counter.target.connect():
            pass
        assert 1 <= counter.round_trips <= CONNECT_ROUND_TRIPS


@pytest.mark.parametrize("strategy", ALL_IDS)
def test_a_runs_round_trips_are_the_models(target: Target, strategy: str) -> None:
    """Counted on the wire while the strategy inserts and commits (after connecting, which
    the model charges separately): what `--rtt-ms` multiplies must be what a run waits for.
    Exact but for the ORM bulk paths, whose batches follow where the NULLs happen to be."""
    workload = Workload.from_dict(
        {"shape": "tuples", "rows": ROUND_TRIP_ROWS, "correctness": "low", "frequency": "once"}
    )
    with Sandbox(target) as sandbox, RoundTripCounter(target) as counter:
        table = BenchTable(sandbox, STANDARD)
        table.create()
        implementation = create(strategy, counter.target, table)
        implementation.open()
        try:
            batch = implementation.prepare(StandardData().rows(0, ROUND_TRIP_ROWS))
            before = counter.round_trips
            implementation.insert([batch])
            counted = counter.round_trips - before
        finally:
            implementation.close()
    # The benchmark's rows carry their ids: the ORM reads no key back (the snippets' rows,
    # numbered by the database, do: tests/test_snippets.py counts those).
    model = round_trips(strategy, workload, keys_given=True) - CONNECT_ROUND_TRIPS
    assert counted == pytest.approx(model, rel=0.15), (counted, model)
