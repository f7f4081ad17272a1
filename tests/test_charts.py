"""The charts must tell the truth: every bar beside its own label, as long as its value."""

import random

import pytest

from advisor.report.charts import (
    comparison_height,
    draw_comparison,
    draw_rows_per_s,
    render,
    rows_per_s_height,
)
from advisor.report.compare import Comparison
from advisor.results import BenchReport, StrategyResult
from tests.chart_text import axis_scale, bars, cells, comparison_bars
from tests.plans import report_of


def _report(rates: list[float]) -> BenchReport:
    return report_of(
        *(
            StrategyResult(f"strategy_{i}", "driver", "tuples", 100_000, runs_s=[100_000 / rate])
            for i, rate in enumerate(rates)
        )
    )


@pytest.mark.parametrize("seed", range(12))
def test_each_rows_per_s_bar_sits_on_its_label_at_its_length(seed: int) -> None:
    rng = random.Random(seed)
    rates = [rng.uniform(2e4, 1.6e6) for _ in range(rng.randint(1, 8))]
    report = _report(rates)
    text = render(
        draw_rows_per_s, report, rng.choice([60, 80, 100]), rows_per_s_height(report), color=False
    )
    drawn = bars(text, "█")
    scale = axis_scale(text)
    assert sorted(drawn) == sorted(f"strategy_{i}" for i in range(len(rates))), text
    for i, rate in enumerate(rates):
        got, width = drawn[f"strategy_{i}"]
        assert got <= width
        assert abs(got - cells(rate, scale)) <= 2, (i, got, cells(rate, scale), text)


@pytest.mark.parametrize("seed", range(6))
def test_the_comparison_chart_keeps_saved_and_new_with_their_strategy(seed: int) -> None:
    rng = random.Random(seed)
    rows = [
        Comparison(f"s{i}", rng.uniform(2e4, 1e6), rng.uniform(2e4, 1e6), True)
        for i in range(rng.randint(1, 8))
    ]
    text = render(draw_comparison, rows, 80, comparison_height(rows), color=False)
    scale = axis_scale(text)
    drawn = comparison_bars(text)
    assert [label for label, _, _ in drawn] == [c.strategy for c in rows], text  # in order
    for c, (_, new, saved) in zip(rows, drawn, strict=True):
        assert c.new is not None and c.saved is not None
        assert abs(new - cells(c.new, scale)) <= 2, (c, text)
        assert abs(saved - cells(c.saved, scale)) <= 2, (c, text)
