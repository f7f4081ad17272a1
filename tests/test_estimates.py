"""The estimator: reference figures, measured points, interpolation, fixed and network costs."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from advisor.advice.estimates import (
    CONNECT_S,
    MIN_SCALING_ROWS,
    REFERENCE_ROWS_PER_S,
    REFERENCE_SOURCE,
    Calibrated,
    Estimator,
    Measurement,
    load_bench,
    loglog,
    measurements_from_report,
    round_trips,
)
from advisor.errors import InputError
from advisor.results import BenchReport, StrategyResult
from advisor.strategy_info import ALL_IDS
from advisor.workload import Workload
from tests.plans import report_of

# Round trips of every run, as the model's docstring gives them: connecting (4: trust auth
# took 2, SCRAM adds 2) and BEGIN + COMMIT. tests/test_estimates_live.py counts the real ones.
SETUP = 4 + 2


def wl(rows: int, **extra: Any) -> Workload:
    return Workload.from_dict(
        {"shape": "tuples", "rows": rows, "correctness": "low", "frequency": "once", **extra}
    )


def test_every_strategy_has_a_reference_figure_and_its_source_says_where_and_when() -> None:
    assert set(REFERENCE_ROWS_PER_S) == set(ALL_IDS)
    assert "measured by pg-insert-advisor" in REFERENCE_SOURCE
    assert re.search(r"20\d\d-\d\d", REFERENCE_SOURCE), "when"
    assert "not your machine" in REFERENCE_SOURCE


def test_reference_scales_linearly_and_adds_the_connection() -> None:
    est = Estimator()
    rate = REFERENCE_ROWS_PER_S["driver_copy"]
    one = est.estimate("driver_copy", wl(int(rate)))
    assert one.insert_s == pytest.approx(1.0)
    assert one.seconds == pytest.approx(1.0 + CONNECT_S)
    assert est.estimate("driver_copy", wl(int(2 * rate))).insert_s == pytest.approx(2.0)
    assert one.source == "reference"


def test_a_conversion_is_charged_to_a_strategy_fed_another_shape() -> None:
    est = Estimator()
    dicts = Workload.from_dict(
        {"shape": "dicts", "rows": 1_000_000, "correctness": "low", "frequency": "once"}
    )
    copy = est.estimate("driver_copy", dicts)
    assert copy.conversion is not None and copy.convert_s > 0
    assert copy.seconds == pytest.approx(copy.insert_s + CONNECT_S + copy.convert_s)
    assert est.estimate("core_execute", dicts).convert_s == 0.0  # Core takes dicts as they are


def test_a_tiny_job_is_not_free() -> None:
    assert Estimator().estimate("driver_copy_binary", wl(1)).seconds >= CONNECT_S


def test_one_measured_point_scales_linearly() -> None:
    est = Estimator([Measurement("driver_copy", 10_000, 0.05)])
    got = est.estimate("driver_copy", wl(30_000))
    assert got.insert_s == pytest.approx(0.15)
    assert got.source == "measured, extrapolated from 10,000 rows"
    assert est.estimate("driver_copy", wl(10_000)).source == "measured"


def test_loglog_interpolates_between_volumes() -> None:
    points = [(1_000, 0.01), (100_000, 0.5)]
    # halfway in log(rows) is halfway in log(seconds): the geometric mean
    assert loglog(points, 10_000) == pytest.approx(math.sqrt(0.01 * 0.5))
    assert loglog(points, 1_000) == pytest.approx(0.01)
    assert loglog(points, 100_000) == pytest.approx(0.5)


def power_law(rows: float) -> float:
    """A strategy whose time grows as rows ** 1.25, from 2 ms at 1k rows."""
    return float(2e-3 * (rows / 1_000) ** 1.25)


@pytest.mark.parametrize(
    ("rows", "seconds"),
    [
        (1_000, 0.002),
        (3_000, 0.002 * 3**1.25),  # inside the range: exact for a power law
        (50_000, 0.002 * 50**1.25),
        (300_000, 0.002 * 300**1.25),  # above: the slope (1.25 >= 1) is kept
        (250, 0.002 * 0.25),  # below: a slope above 1 would make small runs cheap per row
    ],
)
def test_loglog_follows_a_power_law_and_is_linear_below_it(rows: int, seconds: float) -> None:
    points = [(r, power_law(r)) for r in (1_000, 10_000, 100_000)]
    assert loglog(points, rows) == pytest.approx(seconds)


def test_loglog_uses_the_segment_around_the_volume() -> None:
    points = [(1_000, 0.1), (10_000, 0.2), (100_000, 2.0)]
    assert loglog(points, 50_000) == pytest.approx(0.2 * 5.0)  # slope 1 on the upper segment


def test_extrapolation_never_lets_the_per_row_cost_fall() -> None:
    sublinear = [(1_000, 0.1), (10_000, 0.2)]  # fixed costs visible: slope 0.3
    assert loglog(sublinear, 100_000) == pytest.approx(2.0)  # above: linear, not 0.2 * 10**0.3
    assert loglog(sublinear, 100) == pytest.approx(0.1 * 0.1**0.301, rel=1e-2)  # below: kept
    superlinear = [(1_000, 0.01), (10_000, 0.2)]  # slope 1.3
    assert loglog(superlinear, 100_000) == pytest.approx(0.2 * 10**1.301, rel=1e-2)  # kept
    assert loglog(superlinear, 100) == pytest.approx(0.001)  # below: linear


def test_repeated_volumes_are_merged_by_median() -> None:
    est = Estimator([Measurement("driver_copy", 1_000, s) for s in (0.01, 0.02, 0.09)])
    assert est.insert_seconds("driver_copy", 1_000)[0] == pytest.approx(0.02)


def test_unmeasured_strategies_are_calibrated_on_the_measured_ones() -> None:
    # this machine is twice as slow as the reference on COPY, so it is for the others too
    copy_rate = REFERENCE_ROWS_PER_S["driver_copy"]
    est = Estimator([Measurement("driver_copy", int(copy_rate), 2.0)])
    seconds, source = est.insert_seconds("core_execute", int(REFERENCE_ROWS_PER_S["core_execute"]))
    assert seconds == pytest.approx(2.0)
    assert "scaled to your bench" in source
    assert "driver_copy" in est.source and f"the other {len(ALL_IDS) - 1}" in est.source


def _calibrated(strategies: Sequence[str], factor: float = 3.0) -> Calibrated:
    """A calibration of `strategies` at 1k and 10k rows, `factor` times the reference time."""
    return Calibrated(
        tuple(
            Measurement(sid, rows, factor * rows / REFERENCE_ROWS_PER_S[sid])
            for sid in strategies
            for rows in (1_000, 10_000)
        ),
        "2026-11-30",
    )


def test_unmeasured_strategies_come_from_the_calibration_when_there_is_one() -> None:
    measured = [Measurement("driver_copy", 20_000, 0.05)]
    others = [sid for sid in ALL_IDS if sid != "driver_copy"]
    est = Estimator(measured, origin="measured now", calibrated=_calibrated(ALL_IDS))
    assert est.insert_seconds("driver_copy", 20_000) == (0.05, "measured")  # never replaced
    seconds, source = est.insert_seconds("core_execute", 10_000)
    assert seconds == pytest.approx(3 * 10_000 / REFERENCE_ROWS_PER_S["core_execute"])
    assert source == "this machine's calibration (2026-11-30)"
    assert est.source.endswith(
        f"; the other {len(others)} from this machine's calibration (2026-11-30)"
    )
    assert "reference" not in est.source
    # A strategy the calibration lacks (its package was missing) is scaled as before.
    partial = Estimator(measured, origin="measured now", calibrated=_calibrated(others[1:]))
    assert partial.insert_seconds(others[0], 10_000)[1].startswith("reference × ")
    assert re.search(
        rf"the other {len(others)}: {len(others) - 1} from this machine's calibration "
        r"\(2026-11-30\), 1 from reference figures × [\d.]+$",
        partial.source,
    ), partial.source
    # Plain inserts' calibration estimates no upsert, and alone it replaces no measurement.
    upsert = Estimator(
        [Measurement("driver_copy", 20_000, 0.05, upsert=True)],
        upsert=True,
        calibrated=_calibrated(ALL_IDS),
    )
    assert "calibration" not in upsert.source
    assert Estimator(calibrated=_calibrated(ALL_IDS)).source == REFERENCE_SOURCE


def test_a_scaling_factor_is_written_plainly() -> None:
    copy_100k = 100_000 / REFERENCE_ROWS_PER_S["driver_copy"]
    for factor, text in (
        (250, "× 250"),
        (2.46, "× 2.5"),
        (0.0384, "× 0.038"),
        (12_345, "× 12,000"),
    ):
        est = Estimator([Measurement("driver_copy", 100_000, copy_100k * factor)])
        assert est.source.endswith(f"the other {len(ALL_IDS) - 1} from reference figures {text}")
        assert text in est.insert_seconds("core_execute", 1_000)[1]
        assert "e+" not in est.source and "e-" not in est.source


def test_runs_too_small_to_tell_the_speed_scale_nothing() -> None:
    # One row is all fixed cost: 2 ms where the reference's per-row rate says 2 µs.
    tiny = Estimator([Measurement("driver_copy", 1, 0.002)], origin="measured now")
    seconds, source = tiny.insert_seconds("core_execute", 1_000)
    assert seconds == pytest.approx(1_000 / REFERENCE_ROWS_PER_S["core_execute"])
    assert source.startswith("reference, not scaled")
    assert tiny.source.endswith(
        f"from reference figures, not scaled (measured below {MIN_SCALING_ROWS:,} rows, where "
        "a run is mostly fixed cost)"
    )
    # A point of MIN_SCALING_ROWS or more counts; the tiny ones beside it do not.
    both = Estimator(
        [
            Measurement("driver_copy", 1, 0.002),
            Measurement("driver_copy", 1_000, 2 * 1_000 / REFERENCE_ROWS_PER_S["driver_copy"]),
        ]
    )
    assert both.source.endswith("from reference figures × 2.0")


def test_only_measurements_of_the_same_semantics_count() -> None:
    upserts = [Measurement("driver_executemany", 10_000, 0.5, upsert=True)]
    plain = Estimator(upserts)
    assert plain.insert_seconds("driver_executemany", 10_000)[1] == "reference"
    assert "other semantics" in plain.source
    upsert = Estimator(upserts, upsert=True)
    assert upsert.insert_seconds("driver_executemany", 10_000) == (0.5, "measured")
    assert "upserts" in upsert.source


@pytest.mark.parametrize(
    ("strategy", "rows", "seconds"),
    [("driver_copy", 10, 0.0), ("driver_copy", 0, 1.0), ("driver_teleport", 10, 1.0)],
)
def test_invalid_measurements_are_refused(strategy: str, rows: int, seconds: float) -> None:
    with pytest.raises(ValueError, match="a measurement needs"):
        Measurement(strategy, rows, seconds)


@pytest.mark.parametrize(
    ("strategy", "extra", "statements"),
    [
        ("driver_executemany", {}, 1),  # pipelined
        ("driver_executemany", {"returning": True}, 1),  # still pipelined
        ("core_execute", {}, 1),  # SQLAlchemy hands a plain executemany to psycopg
        ("core_execute", {"returning": True}, 200),  # insertmanyvalues: one per 1000 rows
        ("orm_add_all", {"returning": True}, 200),
        ("orm_add_all", {}, 200),  # the unit of work reads back the keys the database makes
        ("async_orm_add_all", {}, 200),
        ("pandas_to_sql", {}, 2),  # does the table exist, then one executemany
        ("pandas_copy", {}, 3),
        ("adbc_ingest", {}, 4),  # the current schema and the table's columns, then COPY
        ("polars_adbc", {}, 6),  # polars asks first whether the table exists
        ("orm_bulk_insert", {"upsert": True}, 20_000),  # a batch per change of NULL columns
        ("orm_bulk_save_objects", {}, 20_000),
        ("driver_unnest", {}, 20),  # one per 10,000 rows
        ("driver_copy", {}, 2),
        ("driver_copy", {"shape": "csv", "upsert": True}, 4),  # staging table + INSERT
    ],
)
def test_round_trips(strategy: str, extra: dict[str, Any], statements: int) -> None:
    assert round_trips(strategy, wl(200_000, **extra)) == SETUP + statements


def test_rows_with_keys_of_their_own_need_none_read_back() -> None:
    assert round_trips("orm_add_all", wl(200_000), keys_given=True) == SETUP + 1
    assert round_trips("orm_add_all", wl(200_000, returning=True), keys_given=True) == SETUP + 200


def test_latency_is_round_trips_times_rtt() -> None:
    est = Estimator()
    local = est.estimate("core_execute", wl(200_000, returning=True))
    away = est.estimate("core_execute", wl(200_000, returning=True, rtt_ms=50))
    assert away.latency_s == pytest.approx((SETUP + 200) * 0.050)
    assert away.seconds - local.seconds == pytest.approx(away.latency_s)
    pipelined = est.estimate("driver_executemany", wl(200_000, returning=True, rtt_ms=50))
    assert pipelined.latency_s == pytest.approx((SETUP + 1) * 0.050)


# --- reading bench files ---------------------------------------------------------------------


def _report(*results: StrategyResult) -> BenchReport:
    return report_of(*results)


def _result(strategy: str, runs: list[float], **extra: Any) -> StrategyResult:
    return StrategyResult(strategy, "driver", "tuples", 10_000, runs_s=runs, **extra)


def test_only_verified_results_count() -> None:
    report = _report(
        _result("driver_copy", [0.02, 0.03, 0.04]),
        _result("driver_executemany", [0.1], problem="stored 9 rows, expected 10"),
        _result("core_execute", [], error="boom"),
    )
    assert measurements_from_report(report) == [Measurement("driver_copy", 10_000, 0.03)]


def test_load_bench_reads_bench_json(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(_report(_result("driver_copy", [0.05])).to_dict()))
    assert load_bench(path) == [Measurement("driver_copy", 10_000, 0.05)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read bench file"),
        ("{not json", "is not JSON"),
        ('{"results": []}', "is not `advisor bench --json` output"),
        ("[1, 2]", "is not `advisor bench --json` output"),
        (
            '{"plan": {}, "environment": {}, "started": "x", "results": [{"strategy": 1}]}',
            "is not `advisor bench --json` output",
        ),
    ],
)
def test_load_bench_errors_are_input_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "bench.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message) as err:
        load_bench(path)
    assert str(path) in str(err.value)


def test_load_bench_needs_a_verified_result(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    bad = _result("driver_copy", [0.05], problem="content differs")
    path.write_text(json.dumps(_report(bad).to_dict()))
    with pytest.raises(InputError, match="no verified results"):
        load_bench(path)
