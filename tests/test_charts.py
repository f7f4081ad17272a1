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
from advisor.results import BenchReport, StrategyResult
from tests.plans import report_of

SUFFIX = {"": 1, "k": 1e3, "M": 1e6}


def _report(rates: list[float]) -> BenchReport:
    return report_of(
        *(
            StrategyResult(f"strategy_{i}", "driver", "tuples", 100_000, runs_s=[100_000 / rate])
            for i, rate in enumerate(rates)
        )
    )


def _axis(text: str) -> tuple[int, float]:
    """Read the x axis as a person would: the column of its first tick (the bars start there)
    and its cells per unit, from the first and last tick marks and their printed labels."""
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if "└" in line)
    ticks = [c for c, char in enumerate(lines[k]) if char == "┬"]
    labels = lines[k + 1].split()
    first, last = (
        float(m.group(1)) * SUFFIX[m.group(2)]
        for m in (re.fullmatch(r"([\d.]+)([kM]?)", label) for label in (labels[0], labels[-1]))
        if m is not None
    )
    assert first == 0 and len(ticks) == len(labels) >= 3, text
    return ticks[0], (ticks[-1] - ticks[0]) / (last - first)


def _cells(value: float, scale: float) -> float:
    """How many cells a bar from 0 to `value` covers, by the axis (both ends included)."""
    return value * scale + 1


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
    _, scale = _axis(text)
    assert sorted(bars) == sorted(f"strategy_{i}" for i in range(len(rates))), text
    for i, rate in enumerate(rates):
        got, width = bars[f"strategy_{i}"]
        assert got <= width
        assert abs(got - _cells(rate, scale)) <= 2, (i, got, _cells(rate, scale), text)


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
    _, scale = _axis(text)
    for k, c in enumerate(rows):  # drawn top to bottom in the given order, four lines each
        group = body[4 * k : 4 * k + 4]
        assert any(re.match(rf"\s*{c.strategy}┤", line) for line in group), (c, text)
        new = max(line.count("█") for line in group)
        saved = max(line.count("░") for line in group)
        assert c.new is not None and c.saved is not None
        assert abs(new - _cells(c.new, scale)) <= 2, (c, text)
        assert abs(saved - _cells(c.saved, scale)) <= 2, (c, text)
