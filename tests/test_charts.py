"""The charts must tell the truth: every bar beside its own label, as long as its value."""

import random
import re

import pytest

from advisor.report.charts import (
    comparison_height,
    draw_comparison,
    draw_rows_per_s,
    render,
    rows_per_s_height,
)
from advisor.report.compare import Comparison
from advisor.results import BenchPlan, BenchReport, Environment, StrategyResult

ENV = Environment("0", "3.11", "linux", 2, "3", "18", "2", "18", "embedded", "embedded")


def _report(rates: list[float]) -> BenchReport:
    report = BenchReport(BenchPlan(), ENV, started="now")
    for i, rate in enumerate(rates):
        result = StrategyResult(f"strategy_{i}", "driver", "tuples", rows=100_000)
        result.runs_s = [100_000 / rate]
        report.results.append(result)
    return report


def _bars(text: str, marker: str) -> dict[str, tuple[int, int]]:
    """For each label's line: (marker cells, plot width)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\w+)┤(.*?)[│┬]?$", line)
        if m:
            out[m.group(1)] = (m.group(2).count(marker), len(m.group(2)))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_each_rows_per_s_bar_sits_on_its_label_at_its_length(seed: int) -> None:
    rng = random.Random(seed)
    rates = [rng.uniform(2e4, 1.6e6) for _ in range(rng.randint(1, 8))]
    report = _report(rates)
    text = render(
        draw_rows_per_s, report, rng.choice([60, 80, 100]), rows_per_s_height(report), color=False
    )
    bars = _bars(text, "█")
    top = max(rates) * 1.02
    assert len(bars) == len(rates)
    for i, rate in enumerate(rates):
        got, width = bars[f"strategy_{i}"]
        assert abs(got - rate / top * width) <= 2, (i, got, rate / top * width, text)


@pytest.mark.parametrize("seed", range(6))
def test_the_comparison_chart_keeps_saved_and_new_with_their_strategy(seed: int) -> None:
    rng = random.Random(seed)
    rows = [
        Comparison(f"s{i}", rng.uniform(2e4, 1e6), rng.uniform(2e4, 1e6), True)
        for i in range(rng.randint(1, 8))
    ]
    text = render(draw_comparison, rows, 80, comparison_height(rows), color=False)
    lines = text.splitlines()
    body = lines[lines.index(next(ln for ln in lines if "┌" in ln)) + 1 :]
    body = body[: body.index(next(ln for ln in body if "└" in ln))]
    assert len(body) == 4 * len(rows)
    top = max(v for c in rows for v in (c.saved or 0, c.new or 0)) * 1.02
    width = len(body[0].split("│", 1)[1]) - 1
    for k, c in enumerate(rows):  # drawn top to bottom in the given order, four lines each
        group = body[4 * k : 4 * k + 4]
        assert any(re.match(rf"\s*{c.strategy}┤", line) for line in group), (c, text)
        new = max(line.count("█") for line in group)
        saved = max(line.count("░") for line in group)
        assert abs(new - (c.new or 0) / top * width) <= 2, (c, text)
        assert abs(saved - (c.saved or 0) / top * width) <= 2, (c, text)
