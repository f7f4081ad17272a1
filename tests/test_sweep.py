"""Sweep domain logic on synthetic points where the answer is known: volumes and crossovers."""

from __future__ import annotations

import json

import pytest

from advisor.bench.sweep import (
    Apart,
    Close,
    Overtake,
    about,
    crossovers,
    log_volumes,
)
from advisor.errors import InputError
from advisor.report.charts import draw_sweep_rows_per_s, draw_sweep_seconds, render, sweep_height
from advisor.report.sweep import headers, point_findings, table_rows
from advisor.results import BenchPlan, BenchReport, StrategyResult, SweepReport
from tests.plans import report_of

Points = list[tuple[int, float]]


def linear(per_row_s: float, volumes: tuple[int, ...] = (100, 1_000, 10_000, 100_000)) -> Points:
    return [(rows, rows * per_row_s) for rows in volumes]


@pytest.mark.parametrize(
    ("low", "high", "points", "expected"),
    [
        (100, 1_000_000, 5, [100, 1_000, 10_000, 100_000, 1_000_000]),
        (100, 100_000, 5, [100, 560, 3_200, 18_000, 100_000]),
        (100, 1_000, 3, [100, 320, 1_000]),
        (1_000, 100_000, 2, [1_000, 100_000]),
        (1, 3, 5, [1, 2, 3]),  # rounding merges neighbours on a narrow range
    ],
)
def test_log_volumes(low: int, high: int, points: int, expected: list[int]) -> None:
    assert log_volumes(low, high, points) == expected


@pytest.mark.parametrize(
    ("low", "high", "points", "message"),
    [
        (1_000, 100, 5, "from a lower to a higher volume"),
        (100, 100, 5, "from a lower to a higher volume"),
        (0, 100, 5, "from a lower to a higher volume"),
        (100, 1_000, 1, "2 to 12 points"),
        (100, 1_000, 13, "2 to 12 points"),
    ],
)
def test_log_volumes_refuses(low: int, high: int, points: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        log_volumes(low, high, points)


def test_a_crossing_is_found_halfway_in_log_space() -> None:
    # log(a/b) goes from +log 10 at 100 rows to -log 10 at 10k: zero at 1k exactly.
    series = {"fixed": [(100, 0.01), (10_000, 0.1)], "steep": [(100, 0.001), (10_000, 1.0)]}
    found = [c for c in crossovers(series) if isinstance(c, Overtake)]
    assert len(found) == 1
    assert (found[0].faster, found[0].slower) == ("fixed", "steep")
    assert found[0].rows == pytest.approx(1_000)
    assert found[0].sentence() == "fixed overtakes steep at about 1k rows"


def test_the_faster_saves_less_than_100_ms_below_a_volume() -> None:
    # 10 µs and 20 µs per row: the gap is 10 µs per row, 100 ms at 10k rows.
    found = crossovers({"copy": linear(10e-6), "orm": linear(20e-6)})
    assert len(found) == 1
    close = found[0]
    assert isinstance(close, Close)
    assert close.start == 100 and close.end == pytest.approx(10_000, rel=1e-4)
    assert close.faster == "copy"
    assert close.sentence() == (
        "below about 10k rows, copy saves less than 100 ms per run over orm: clarity wins there"
    )


def test_apart_everywhere_and_close_everywhere() -> None:
    apart = crossovers(
        {"slow": linear(30e-3, (1_000, 10_000)), "fast": linear(10e-3, (1_000, 10_000))}
    )
    assert apart == [Apart("fast", "slow", 1_000, 10_000)]
    assert apart[0].sentence() == (
        "fast saves at least 100 ms per run over slow at every volume measured (1k to 10k rows)"
    )
    close = crossovers({"a": linear(1e-6), "b": linear(1.5e-6)})  # 50 ms apart at 100k
    assert len(close) == 1 and isinstance(close[0], Close)
    assert close[0].sentence() == (
        "across the whole range (100 to 100k rows), a saves less than 100 ms per run over b: "
        "clarity wins"
    )


def test_close_only_around_a_crossing() -> None:
    # flat 1 s against 1 ms per row: equal at 1k rows, within 100 ms from 900 to 1.1k.
    series = {"flat": [(100, 1.0), (10_000, 1.0)], "linear": [(100, 0.1), (10_000, 10.0)]}
    found = crossovers(series)
    overtake = next(c for c in found if isinstance(c, Overtake))
    close = next(c for c in found if isinstance(c, Close))
    assert overtake.faster == "flat" and overtake.rows == pytest.approx(1_000)
    assert close.start == pytest.approx(900, rel=1e-4)
    assert close.end == pytest.approx(1_100, rel=1e-4)
    assert close.faster is None, "they swap inside the stretch"
    assert close.sentence() == (
        "between about 900 and 1.1k rows, flat and linear differ by less than 100 ms per run"
    )
    assert len(found) == 2


def test_close_from_a_volume_up_to_the_top() -> None:
    # converging: 300 ms apart at 100 rows, 30 ms at 10k
    a, b = [(100, 0.5), (10_000, 1.0)], [(100, 0.8), (10_000, 1.03)]
    (close,) = crossovers({"a": a, "b": b})
    assert isinstance(close, Close)
    assert close.end == 10_000
    # By hand: a = 0.5 (x/100)^0.1505 and b = 0.8 (x/100)^0.0549 (the power laws through the
    # points); b - a = 100 ms where x = 4,448.6 (bisection).
    assert close.start == pytest.approx(4_448.6, rel=1e-4)
    assert close.sentence() == (
        f"from about {about(close.start)} rows up to 10k, a saves less than 100 ms per run over b"
    )


def test_an_exact_tie_at_a_volume_is_a_crossing_only_when_the_order_flips() -> None:
    flip = {
        "a": [(100, 1.0), (1_000, 2.0), (10_000, 3.0)],
        "b": [(100, 0.5), (1_000, 2.0), (10_000, 6.0)],
    }
    overtakes = [c for c in crossovers(flip) if isinstance(c, Overtake)]
    assert overtakes == [Overtake("a", "b", 1_000)]
    touch = {
        "a": [(100, 1.0), (1_000, 2.0), (10_000, 3.0)],
        "b": [(100, 0.5), (1_000, 2.0), (10_000, 1.5)],
    }
    assert not [c for c in crossovers(touch) if isinstance(c, Overtake)]


def test_several_crossings_in_one_pair() -> None:
    zigzag = {
        "a": [(100, 1.0), (1_000, 1.0), (10_000, 1.0)],
        "b": [(100, 0.1), (1_000, 10.0), (10_000, 0.1)],
    }
    overtakes = [c for c in crossovers(zigzag) if isinstance(c, Overtake)]
    assert [(o.faster, round(o.rows)) for o in overtakes] == [("a", 316), ("b", 3_162)]


def test_pairs_without_two_shared_verified_volumes_are_skipped() -> None:
    series = {"a": linear(1e-5), "b": [(100, 0.001)], "c": []}
    assert crossovers(series) == []


def test_series_keeps_only_verified_medians() -> None:
    sweep = SweepReport(
        [100, 1_000], [_point(100, ok=[0.01, 0.02, 0.03]), _point(1_000, ok=[0.1], bad=True)]
    )
    assert sweep.series() == {
        "driver_copy": [(100, 0.02), (1_000, 0.1)],
        "orm_add_all": [(100, 0.5)],
    }


def test_sweep_json_round_trip() -> None:
    sweep = SweepReport([100, 1_000], [_point(100, ok=[0.01]), _point(1_000, ok=[0.1])], "t0", 1.5)
    again = SweepReport.from_dict(json.loads(json.dumps(sweep.to_dict())))
    assert again == sweep


def test_sweep_tables_show_only_verified_figures_fastest_first() -> None:
    sweep = SweepReport([100, 1_000], [_point(100, ok=[0.01]), _point(1_000, ok=[0.1], bad=True)])
    assert headers(sweep) == ("strategy", "100 rows", "1k rows")
    assert table_rows(sweep, rate=True) == [
        ("driver_copy", "10k", "10k"),
        ("orm_add_all", "400", "NO"),
    ]
    assert table_rows(sweep, rate=False)[1] == ("orm_add_all", "250 ms", "NO")
    assert point_findings(sweep) == [
        "at 1k rows: orm_add_all NOT VERIFIED: stored 999 rows, expected 1000"
    ]


def test_sweep_charts_draw_a_line_per_strategy_on_log_axes() -> None:
    sweep = SweepReport([100, 1_000], [_point(100, ok=[0.01]), _point(1_000, ok=[0.05])])
    for draw in (draw_sweep_rows_per_s, draw_sweep_seconds):
        text = render(draw, sweep, 80, sweep_height(sweep), False)
        assert "• driver_copy" in text.replace("••", "•") and "orm_add_all" in text
        assert "both axes log" in text
        last = text.rstrip().splitlines()[-1].split()
        assert last == ["100", "1k"], "x ticks at the measured volumes"
    assert "20k" in render(draw_sweep_rows_per_s, sweep, 80, 20, False)  # copy at 1k rows
    assert "100 ms" in render(draw_sweep_seconds, sweep, 80, 20, False)  # decades: 10 ms to 1 s
    empty = SweepReport([100, 1_000])
    assert "nothing measured yet" in render(draw_sweep_rows_per_s, empty, 80, 10, False)


def _point(rows: int, ok: list[float], bad: bool = False) -> BenchReport:
    copy = StrategyResult("driver_copy", "driver", "tuples", rows, runs_s=ok)
    orm = StrategyResult("orm_add_all", "orm", "objects", rows, runs_s=[s * 25 for s in ok])
    if bad:
        orm.problem = f"stored {rows - 1} rows, expected {rows}"
    return report_of(copy, orm, plan=BenchPlan(rows=rows))
