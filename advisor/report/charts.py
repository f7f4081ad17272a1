"""plotext charts shared by the CLI (rendered to text) and the TUI (PlotextPlot's `plt`).

Each `draw_*` function takes a plotext-like module and draws on its current figure; the
caller owns the figure size and rendering.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from typing import Any

from advisor.report.compare import Comparison
from advisor.results import BenchReport, SweepReport
from advisor.units import format_count, format_seconds

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _ticks(top: float, count: int = 4) -> tuple[list[float], list[str]]:
    positions = [top * i / count for i in range(count + 1)]
    return positions, [format_count(p) for p in positions]


BAR_LINES = 2  # lines per bar: with one, plotext puts bars beside the wrong labels


def rows_per_s_height(report: BenchReport) -> int:
    """The height at which every bar of `draw_rows_per_s` sits on its own label."""
    return BAR_LINES * max(1, sum(1 for r in report.results if r.rows_per_s > 0)) + 4


def draw_rows_per_s(plt: Any, report: BenchReport) -> None:
    """Horizontal bars of median rows/s, fastest on top."""
    measured = [r for r in report.results if r.rows_per_s > 0]
    measured.sort(key=lambda r: r.rows_per_s)  # plotext draws the first bar at the bottom
    plt.clear_data()
    if not measured:
        plt.title("rows/s: waiting for the first strategy to finish")
        return
    labels = [r.strategy for r in measured]
    values = [r.rows_per_s for r in measured]
    plt.bar(labels, values, orientation="horizontal", width=0.8)
    top = max(values)
    if report.ceiling is not None and report.ceiling.rows_per_s > 0:
        top = max(top, report.ceiling.rows_per_s)
        plt.vertical_line(report.ceiling.rows_per_s, color="red")
        plt.title("rows/s, median (red line: server ceiling)")
    else:
        plt.title("rows/s, median")
    plt.xticks(*_ticks(top))
    plt.xlim(0, top * 1.02)


def render(draw: Any, data: Any, width: int, height: int, color: bool) -> str:
    """Draw `data` with the global plotext figure and return the chart as text."""
    import plotext

    plotext.clear_figure()
    plotext.limit_size(False, False)  # by default plotext clips the figure to the terminal
    plotext.plotsize(width, height)
    plotext.theme("clear")
    draw(plotext, data)
    text = str(plotext.build())
    plotext.clear_figure()
    return text if color else _ANSI.sub("", text)


COMPARISON_LINES = 4  # lines per strategy; plotext renders two bars cleanly in four


def comparison_height(comparisons: Sequence[Comparison]) -> int:
    return COMPARISON_LINES * len(comparisons) + 4


def draw_comparison(plt: Any, comparisons: Sequence[Comparison]) -> None:
    """Grouped horizontal bars: saved and new rows/s per strategy."""
    plt.clear_data()
    rows = [c for c in comparisons if c.saved or c.new]
    if not rows:
        plt.title("saved vs new rows/s: nothing to compare")
        return
    rows.reverse()  # plotext draws the first group at the bottom
    labels = [c.strategy for c in rows]
    saved = [c.saved or 0.0 for c in rows]
    new = [c.new or 0.0 for c in rows]
    # Distinct markers keep the two series apart without colour; the legend is in the title
    # because plotext draws its legend over the top bars.
    plt.multiple_bar(labels, [saved, new], orientation="horizontal", marker=["░", "█"], width=0.6)
    top = max(saved + new)
    plt.xticks(*_ticks(top))
    plt.xlim(0, top * 1.02)
    plt.title("rows/s, median:  ░ saved   █ new")


# One marker per strategy so the lines stay apart without colour (the CLI's files and pipes).
SWEEP_MARKERS = ("•", "+", "x", "o", "*", "#", "@", "%")
SWEEP_LINES = 16  # plus one per strategy, for the legend plotext draws inside the plot


def sweep_height(sweep: SweepReport) -> int:
    return SWEEP_LINES + len(sweep.series())


def _log_ticks(low: float, high: float, label: Any) -> tuple[list[float], list[str]]:
    """1-2-5 ticks inside [low, high] (plotext draws ticks outside the data off the axis)."""
    ticks = [
        m * 10.0**k
        for k in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for m in (1, 2, 5)
        if low <= m * 10.0**k <= high
    ]
    if len(ticks) > 6:
        ticks = [t for t in ticks if math.log10(t).is_integer()] or ticks
    if len(ticks) < 2:
        ticks = sorted({low, high})
    return ticks, [label(t) for t in ticks]


def _draw_sweep(plt: Any, sweep: SweepReport, rate: bool) -> None:
    plt.clear_data()
    series = {sid: points for sid, points in sweep.series().items() if points}
    what = "rows/s, median" if rate else "seconds per run, median"
    if not series:
        plt.title(f"{what}: nothing measured yet")
        return
    values = []
    for (sid, points), marker in zip(series.items(), itertools.cycle(SWEEP_MARKERS), strict=False):
        xs = [rows for rows, _ in points]
        ys = [rows / s if rate else s for rows, s in points]
        values += ys
        plt.plot(xs, ys, label=sid, marker=marker)
    plt.xscale("log")
    plt.yscale("log")
    plt.xticks(sweep.volumes, [format_count(v) for v in sweep.volumes])
    plt.yticks(*_log_ticks(min(values), max(values), format_count if rate else format_seconds))
    plt.title(f"{what} against rows per run (both axes log)")


def draw_sweep_rows_per_s(plt: Any, sweep: SweepReport) -> None:
    """One line per strategy: median rows/s at each volume of the sweep."""
    _draw_sweep(plt, sweep, rate=True)


def draw_sweep_seconds(plt: Any, sweep: SweepReport) -> None:
    """One line per strategy: median seconds per run at each volume of the sweep."""
    _draw_sweep(plt, sweep, rate=False)
