"""plotext charts shared by the CLI (rendered to text) and the TUI (PlotextPlot's `plt`).

Each `draw_*` function takes a plotext-like module and draws on its current figure; the
caller owns the figure size and rendering.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.compare import Comparison
from advisor.results import BenchReport
from advisor.units import format_count

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _ticks(top: float, count: int = 4) -> tuple[list[float], list[str]]:
    positions = [top * i / count for i in range(count + 1)]
    return positions, [format_count(p) for p in positions]


def draw_rows_per_s(plt: Any, report: BenchReport) -> None:
    """Horizontal bars of median rows/s, fastest on top."""
    measured = [r for r in report.results if r.rows_per_s > 0]
    measured.sort(key=lambda r: r.rows_per_s)  # plotext draws the first bar at the bottom
    plt.clear_data()
    if not measured:
        plt.title("rows/s: nothing measured yet")
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


def comparison_height(comparisons: list[Comparison]) -> int:
    return COMPARISON_LINES * len(comparisons) + 4


def draw_comparison(plt: Any, comparisons: list[Comparison]) -> None:
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
