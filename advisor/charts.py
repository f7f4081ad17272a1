"""plotext charts shared by the CLI (rendered to text) and the TUI (PlotextPlot's `plt`).

Each `draw_*` function takes a plotext-like module and draws on its current figure; the
caller owns the figure size and rendering.
"""

from __future__ import annotations

import re
from typing import Any

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


def render(draw: Any, report: BenchReport, width: int, height: int, color: bool) -> str:
    """Draw with the global plotext figure and return the chart as text."""
    import plotext

    plotext.clear_figure()
    plotext.plotsize(width, height)
    plotext.theme("clear")
    draw(plotext, report)
    text = str(plotext.build())
    plotext.clear_figure()
    return text if color else _ANSI.sub("", text)
