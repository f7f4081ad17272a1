"""PlotextPlot widgets drawing with the functions the CLI uses (advisor.report.charts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from plotext._dict import themes as plotext_themes  # the registry textual-plotext reads too
from textual_plotext import PlotextPlot

from advisor.report.charts import (
    comparison_height,
    draw_comparison,
    draw_rows_per_s,
    rows_per_s_height,
)
from advisor.report.compare import Comparison
from advisor.results import BenchReport

if TYPE_CHECKING:
    from textual_plotext.plot import PlotextThemeName

# The app draws with the terminal's own colours (ANSI themes), whose RGB values textual-plotext's
# "auto" theme reads as black: its text, frame and ticks came out black on black. This theme
# leaves them to the terminal and keeps plotext's colours for the bars.
TERMINAL_THEME = "advisor-terminal"
plotext_themes[TERMINAL_THEME] = [*plotext_themes["clear"][:4], list(plotext_themes["default"][4])]


class _Chart(PlotextPlot):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        # Registered above, so a theme plotext knows, though not one of its own names.
        self.set_reactive(PlotextPlot.theme, cast("PlotextThemeName", TERMINAL_THEME))


class RowsPerSecondChart(_Chart):
    """Median rows/s per strategy; redrawn as each strategy finishes."""

    def show(self, report: BenchReport) -> None:
        # A fixed height (the tab scrolls) keeps each bar beside its label.
        self.styles.height = rows_per_s_height(report)
        draw_rows_per_s(self.plt, report)
        self.refresh()


class ComparisonChart(_Chart):
    """Saved vs new rows/s, grouped by strategy."""

    def show(self, comparisons: list[Comparison]) -> None:
        self.styles.height = comparison_height(comparisons)
        draw_comparison(self.plt, comparisons)
        self.refresh()
