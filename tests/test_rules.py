"""The recommendation engine, scenario by scenario: the article's tables and what lies beyond.

Each scenario names the answers, the layer and strategy the article (or the documented
thresholds) call for, and (answer, idea) pairs that must appear together in one reason, so a
right pick for the wrong reason still fails.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from advisor.advice.estimates import REFERENCE_ROWS, Measurement
from advisor.advice.recommendation import Recommendation
from advisor.advice.rules import (
    BULK_SAVING_S,
    BULK_SAVING_SHARE,
    LAYER_SAVING_S,
    LAYER_SAVING_SHARE,
    recommend,
    usable,
    worth,
)
from advisor.strategy_info import ALL_IDS, STRATEGIES
from advisor.workload import Workload


def workload(**answers: Any) -> Workload:
    return Workload.from_dict(answers)


def answers(
    shape: str, rows: str, correctness: str, frequency: str, **extra: Any
) -> dict[str, Any]:
    return {
        "shape": shape,
        "rows": rows,
        "correctness": correctness,
        "frequency": frequency,
        **extra,
    }


SCENARIOS = [
    # --- the article's purpose table ------------------------------------------------------
    pytest.param(
        answers("objects", "200", "high", "hourly"),
        "orm",
        "orm_add_all",
        [("correctness: high", "ORM"), ("volume: 200 rows", "small batches")],
        id="purpose-add_all-business-logic-small-batch",
    ),
    pytest.param(
        answers("objects", "200k", "medium", "daily"),
        "orm",
        "orm_bulk_insert",
        [("shape: objects", "stay in the ORM"), ("volume: 200,000 rows", "bulk_save_objects")],
        id="purpose-bulk_save_objects-orm-objects-at-scale",
    ),
    pytest.param(
        answers("dicts", "50k", "medium", "daily"),
        "core",
        "core_execute",
        [("correctness: medium", "Core")],
        id="purpose-core-structured-data",
    ),
    pytest.param(
        answers("tuples", "50k", "low", "hourly"),
        "driver",
        "driver_executemany",
        [("correctness: low", "driver"), ("volume: 50,000 rows", "clarity beats marginal")],
        id="purpose-executemany-raw-rows",
    ),
    pytest.param(
        answers("tuples", "200k", "low", "continuous"),
        "driver",
        "driver_copy",
        [("volume: 200,000 rows per batch", "driver_copy saves")],
        id="purpose-copy-firehose",
    ),
    # --- the article's layer table --------------------------------------------------------
    pytest.param(
        answers("dicts", "5k", "high", "daily"),
        "orm",
        "orm_add_all",
        [("correctness: high", "application")],
        id="layer-orm-building-an-application",
    ),
    pytest.param(
        answers("dicts", "300k", "medium", "daily"),
        "core",
        "core_execute",
        [
            ("correctness: medium", "moving or transforming"),
            ("volume: 300,000 rows", "not enough to leave the core layer"),
        ],
        id="layer-core-moving-data",
    ),
    pytest.param(
        answers("tuples", "5M", "low", "once"),
        "driver",
        "driver_copy_binary",
        [("correctness: low", "performance limits"), ("volume: 5,000,000", "copy_binary saves")],
        id="layer-driver-pushing-limits",
    ),
    # --- don't mismatch abstractions --------------------------------------------------------
    pytest.param(
        answers("objects", "300k", "medium", "daily", budget_s=5),
        "core",
        "core_execute",
        [("budget: 5 s per run", "clearest strategy that fits")],
        id="mismatch-core-fed-orm-objects",
    ),
    pytest.param(
        answers("tuples", "2k", "high", "daily"),
        "orm",
        "orm_add_all",
        [("correctness: high", "ORM")],
        id="mismatch-orm-fed-tuples",
    ),
    pytest.param(
        answers("objects", "200k", "low", "daily"),
        "orm",
        "orm_bulk_insert",
        [("volume: 200,000 rows", "orm_bulk_insert saves")],
        id="mismatch-orm-bulk-in-etl",
    ),
    # --- small workloads: clarity beats marginal gains --------------------------------------
    pytest.param(
        answers("tuples", "500", "low", "once"),
        "driver",
        "driver_executemany",
        [("volume: 500 rows", "clarity beats marginal gains")],
        id="small-500-rows-never-copy",
    ),
    pytest.param(
        answers("dicts", "500", "medium", "hourly"),
        "core",
        "core_execute",
        [("volume: 500 rows", "not enough to leave the core layer")],
        id="small-stays-in-core",
    ),
    pytest.param(
        answers("objects", "10k", "medium", "daily"),
        "orm",
        "orm_add_all",
        [("volume: 10,000 rows", "clarity beats marginal gains")],
        id="small-add_all-over-bulk",
    ),
    # --- returning / upsert ---------------------------------------------------------------
    pytest.param(
        answers("tuples", "500k", "low", "daily", returning=True),
        "driver",
        "driver_executemany",
        [("returning: ids needed back", "COPY")],
        id="returning-keeps-insert",
    ),
    pytest.param(
        answers("objects", "50k", "high", "hourly", returning=True),
        "orm",
        "orm_add_all",
        [("returning: ids needed back", "flush")],
        id="returning-orm-fills-ids",
    ),
    pytest.param(
        answers("dicts", "500k", "low", "daily", upsert=True),
        "driver",
        "driver_executemany",
        [("upsert: ON CONFLICT needed", "COPY has no ON CONFLICT")],
        id="upsert-keeps-insert",
    ),
    pytest.param(
        answers("objects", "1k", "high", "hourly", upsert=True),
        "orm",
        "orm_bulk_insert",
        [("upsert: ON CONFLICT needed", "orm_add_all cannot express ON CONFLICT")],
        id="upsert-in-the-orm",
    ),
    pytest.param(
        answers("csv", "1M", "medium", "daily", upsert=True),
        "driver",
        "driver_copy",
        [("upsert: ON CONFLICT needed", "staging table")],
        id="upsert-csv-staging",
    ),
    pytest.param(
        answers("csv", "100k", "low", "once", returning=True),
        "driver",
        "driver_copy",
        [("returning: ids needed back", "staging table")],
        id="returning-csv-staging",
    ),
    # --- legacy bulk_save_objects ----------------------------------------------------------
    pytest.param(
        answers("objects", "100k", "medium", "daily"),
        "orm",
        "orm_bulk_insert",
        [("volume: 100,000 rows", "legacy in SQLAlchemy 2.x")],
        id="legacy-bulk_save_objects-successor",
    ),
    # --- multi-million-row loads go to COPY -------------------------------------------------
    pytest.param(
        answers("tuples", "3M", "medium", "once"),
        "driver",
        "driver_copy",
        [("volume: 3,000,000 rows", "multi-million")],
        id="multi-million-tuples",
    ),
    pytest.param(
        answers("dicts", "2M", "medium", "daily"),
        "driver",
        "driver_copy",
        [("volume: 2,000,000 rows", "multi-million")],
        id="multi-million-nightly-etl",
    ),
    pytest.param(
        answers("objects", "2M", "medium", "daily"),
        "driver",
        "driver_copy",
        [("volume: 2,000,000 rows", "multi-million")],
        id="multi-million-objects",
    ),
    pytest.param(
        answers("dicts", "2M", "high", "daily"),
        "orm",
        "orm_add_all",
        [("correctness: high", "ORM")],
        id="multi-million-but-correctness-high",
    ),
    # --- CSV --------------------------------------------------------------------------------
    pytest.param(
        answers("csv", "50k", "low", "daily"),
        "driver",
        "driver_copy",
        [("shape: csv", "COPY reads CSV")],
        id="csv-copy",
    ),
    pytest.param(
        answers("csv", "500", "medium", "once"),
        "driver",
        "driver_copy",
        [("shape: csv", "FORMAT csv")],
        id="csv-small-still-copy",
    ),
    pytest.param(
        answers("csv", "2k", "high", "daily"),
        "orm",
        "orm_add_all",
        [("correctness: high", "ORM")],
        id="csv-correctness-high",
    ),
    pytest.param(
        answers("csv", "50M", "low", "once"),
        "driver",
        "driver_copy",
        [("shape: csv", "no parsing in Python")],
        id="csv-50M-text-not-binary",
    ),
    # --- network round trips ---------------------------------------------------------------
    pytest.param(
        answers("dicts", "200k", "medium", "daily", returning=True),
        "core",
        "core_execute",
        [("correctness: medium", "Core")],
        id="rtt-0-core-returning",
    ),
    pytest.param(
        answers("dicts", "200k", "medium", "daily", returning=True, rtt_ms=50),
        "driver",
        "driver_executemany",
        [("network: 50 ms round trip", "on a local server the choice would be core_execute")],
        id="rtt-50-pipelined-executemany",
    ),
    # --- deadlines --------------------------------------------------------------------------
    pytest.param(
        answers("dicts", "2M", "high", "daily", budget_s=40),
        "core",
        "core_execute",
        [("budget: 40 s per run", "clearest strategy that fits")],
        id="budget-leaves-the-orm",
    ),
    pytest.param(
        answers("objects", "2k", "high", "daily", budget_s=0.005),
        "orm",
        "orm_add_all",
        [("budget: 5 ms per run", "nothing fits")],
        id="budget-impossible-keeps-clarity",
    ),
    pytest.param(
        answers("tuples", "2M", "low", "daily", upsert=True, budget_s=10),
        "driver",
        "driver_executemany",
        [("budget: 10 s per run", "nothing fits")],
        id="budget-cannot-buy-copy-for-an-upsert",
    ),
    pytest.param(
        answers("objects", "3M", "high", "continuous"),
        "core",
        "core_execute",
        [("frequency: continuous", "clearest strategy that fits")],
        id="continuous-must-keep-up",
    ),
]


@pytest.mark.parametrize(("given", "layer", "strategy", "because"), SCENARIOS)
def test_scenario(
    given: dict[str, Any], layer: str, strategy: str, because: list[tuple[str, str]]
) -> None:
    rec = recommend(workload(**given))
    assert (rec.layer.value, rec.strategy) == (layer, strategy), rec.reasons
    for answer, idea in because:
        assert any(answer in r and idea in r for r in rec.reasons), (answer, idea, rec.reasons)


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        (answers("objects", "300k", "medium", "daily", budget_s=5), "core fed ORM objects"),
        (answers("objects", "2M", "medium", "daily"), "driver fed ORM objects"),
        (answers("tuples", "2k", "high", "daily"), "ORM fed tuples is awkward and brittle"),
        (answers("objects", "200k", "low", "daily"), "ORM bulk inside an ETL pipeline"),
        (answers("objects", "100k", "medium", "daily"), "bulk_save_objects takes objects"),
        (answers("objects", "1k", "high", "hourly", upsert=True), "bypasses the unit of work"),
        (answers("dicts", "2M", "high", "daily", budget_s=40), "leaves the ORM"),
        (answers("dicts", "2M", "high", "daily"), "keeps the ORM at a price"),
        (answers("csv", "1M", "medium", "daily", upsert=True), "estimate covers the COPY only"),
        (answers("tuples", "2M", "low", "daily", upsert=True), "staging table"),
        (answers("tuples", "5M", "low", "once"), "exact column types"),
        (
            answers("objects", "50k", "high", "hourly", returning=True, rtt_ms=40),
            "waiting on 56 round trips of 40 ms",
        ),
        (answers("objects", "2k", "high", "daily", budget_s=0.005), "No strategy meets"),
    ],
)
def test_warning(given: dict[str, Any], fragment: str) -> None:
    warnings = recommend(workload(**given)).warnings
    assert any(fragment in w for w in warnings), warnings


@pytest.mark.parametrize(
    "given",
    [
        answers("objects", "200", "high", "hourly"),
        answers("dicts", "50k", "medium", "daily"),
        answers("tuples", "200k", "low", "once"),
        answers("dicts", "2M", "medium", "daily"),
    ],
)
def test_no_warning_when_nothing_is_wrong(given: dict[str, Any]) -> None:
    assert recommend(workload(**given)).warnings == ()


def test_the_articles_300ms_off_a_10s_insert_is_not_worth_it() -> None:
    assert not worth(10.0, 9.7, BULK_SAVING_S, BULK_SAVING_SHARE)
    assert not worth(10.0, 9.7, LAYER_SAVING_S, LAYER_SAVING_SHARE)
    assert worth(10.0, 2.0, BULK_SAVING_S, BULK_SAVING_SHARE)


@pytest.mark.parametrize(
    ("flag", "without", "with_flag"),
    [
        ("returning", "driver_copy", "driver_executemany"),
        ("upsert", "driver_copy", "driver_executemany"),
    ],
)
def test_returning_and_upsert_are_what_keeps_copy_out(
    flag: str, without: str, with_flag: str
) -> None:
    base = answers("tuples", "500k", "low", "daily")
    assert recommend(workload(**base)).strategy == without
    assert recommend(workload(**base, **{flag: True})).strategy == with_flag


@pytest.mark.parametrize(
    ("flag", "because"), [("upsert", "has no ON CONFLICT"), ("returning", "returns no ids")]
)
def test_copy_is_offered_only_through_a_staging_table(flag: str, because: str) -> None:
    rec = recommend(workload(**answers("tuples", "2M", "low", "daily", **{flag: True})))
    for sid in ("driver_copy", "driver_copy_binary"):
        alt = next(a for a in rec.alternatives if a.strategy == sid)
        assert not alt.usable
        assert because in alt.why_not and "staging table" in alt.why_not


def test_bulk_save_objects_is_never_recommended_even_when_measured_fastest() -> None:
    fast = [
        Measurement("orm_add_all", REFERENCE_ROWS, 5.0),
        Measurement("orm_bulk_insert", REFERENCE_ROWS, 2.9),
        Measurement("orm_bulk_save_objects", REFERENCE_ROWS, 0.5),
    ]
    rec = recommend(workload(**answers("objects", "100k", "medium", "daily")), fast)
    assert rec.strategy == "orm_bulk_insert"
    legacy = next(a for a in rec.alternatives if a.strategy == "orm_bulk_save_objects")
    assert not legacy.usable
    assert "legacy" in legacy.why_not
    assert legacy.estimate_s < rec.estimate_s  # measured faster, still not recommended


def test_measurements_can_change_the_decision() -> None:
    """A bench where COPY is barely faster than executemany keeps the clearer executemany."""
    w = workload(**answers("tuples", "200k", "low", "daily"))
    assert recommend(w).strategy == "driver_copy"
    close = [
        Measurement("driver_executemany", 200_000, 0.9),
        Measurement("driver_copy", 200_000, 0.8),
        Measurement("driver_copy_binary", 200_000, 0.7),
    ]
    rec = recommend(w, close)
    assert rec.strategy == "driver_executemany"
    assert any("volume: 200,000 rows" in r and "clarity" in r for r in rec.reasons)


GRID = [
    answers(shape, rows, correctness, frequency, upsert=upsert, returning=returning)
    for shape, rows, correctness, frequency, upsert, returning in itertools.product(
        ("objects", "dicts", "tuples", "csv"),
        ("1", "500", "100k", "2M", "50M"),
        ("low", "medium", "high"),
        ("once", "continuous"),
        (False, True),
        (False, True),
    )
]


def test_every_recommendation_is_usable_and_complete() -> None:
    for given in GRID:
        w = workload(**given)
        rec = recommend(w)
        assert usable(rec.strategy, w), given
        assert rec.layer is STRATEGIES[rec.strategy].layer
        assert sorted(a.strategy for a in rec.alternatives) == sorted(
            sid for sid in ALL_IDS if sid != rec.strategy
        )
        assert all(a.why_not for a in rec.alternatives)
        flags = [a.usable for a in rec.alternatives]
        assert flags == sorted(flags, reverse=True), "usable alternatives come first"
        usable_times = [a.estimate_s for a in rec.alternatives if a.usable]
        assert usable_times == sorted(usable_times)
        assert rec.reasons and rec.estimate_s > 0
        compile(rec.snippet, rec.strategy, "exec")


# The seed article's rows/s, by hand: the estimate is rows / rate + 10 ms to connect + round
# trips x 5 ms (6 for connecting and BEGIN/COMMIT, then 1 pipelined executemany or 2 for COPY).
ARTICLE_AT_2M_ROWS_5MS = {
    "orm_add_all": 2_000_000 / 20_000 + 0.010 + 7 * 0.005,
    "core_execute": 2_000_000 / 65_000 + 0.010 + 7 * 0.005,
    "driver_executemany": 2_000_000 / 100_000 + 0.010 + 7 * 0.005,
    "driver_copy": 2_000_000 / 420_000 + 0.010 + 8 * 0.005,
    "driver_copy_binary": 2_000_000 / 1_600_000 + 0.010 + 8 * 0.005,
}


def test_the_estimates_are_the_articles_figures_plus_the_network() -> None:
    rec = recommend(workload(**answers("dicts", "2M", "medium", "daily", rtt_ms=5)))
    estimates = {a.strategy: a.estimate_s for a in rec.alternatives} | {
        rec.strategy: rec.estimate_s
    }
    for sid, seconds in ARTICLE_AT_2M_ROWS_5MS.items():
        assert estimates[sid] == pytest.approx(seconds), sid


@pytest.mark.parametrize(
    ("frequency", "runs"), [("once", 1), ("daily", 365), ("hourly", 8760), ("continuous", 525_600)]
)
def test_time_per_year(frequency: str, runs: int) -> None:
    rec = recommend(workload(**answers("dicts", "50k", "medium", frequency)))
    assert rec.per_year.runs_per_year == runs
    assert rec.per_year.seconds_per_year == pytest.approx(runs * rec.estimate_s)
    if frequency == "continuous":
        # one batch a minute: the run may take 60 s before the batches pile up
        assert rec.per_year.headroom_x == pytest.approx(60 / rec.estimate_s)
        assert "one batch of 50,000 rows a minute" in rec.per_year.model
    else:
        assert rec.per_year.headroom_x is None


def _values(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [v for value in data.values() for v in _values(value)]
    if isinstance(data, list):
        return [v for value in data for v in _values(value)]
    return [data]


@pytest.mark.parametrize("frequency", ["daily", "continuous"])
def test_deterministic_and_round_trips_through_dict(frequency: str) -> None:
    w = workload(**answers("objects", "300k", "medium", frequency, budget_s=5, rtt_ms=2.5))
    rec = recommend(w)
    assert recommend(w) == rec
    data = rec.to_dict()
    assert all(type(v) in (str, int, float, bool) for v in _values(data))  # TOML-ready
    assert Recommendation.from_dict(data) == rec


def test_from_dict_rejects_a_damaged_recommendation() -> None:
    from advisor.errors import InputError

    data = recommend(workload(**answers("dicts", "5k", "medium", "daily"))).to_dict()
    data["strategy"] = "orm_teleport"
    with pytest.raises(InputError, match="invalid recommendation"):
        Recommendation.from_dict(data)
