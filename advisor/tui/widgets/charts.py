"""PlotextPlot widgets drawing with the functions the CLI uses (advisor.report.charts)."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from advisor.report.charts import (
    comparison_height,
    draw_comparison,
    draw_rows_per_s,
    rows_per_s_height,
)
from advisor.report.compare import Comparison
from advisor.results import BenchReport


class RowsPerSecondChart(PlotextPlot):
    """Median rows/s per strategy; redrawn as each strategy finishes."""

    def show(self, report: BenchReport) -> None:
        # A fixed height (the tab scrolls) keeps each bar beside its label.
        self.styles.height = rows_per_s_height(report)
        draw_rows_per_s(self.plt, report)
        self.refresh()


class ComparisonChart(PlotextPlot):
    """Saved vs new rows/s, grouped by strategy."""

    def show(self, comparisons: list[Comparison]) -> None:
        self.styles.height = comparison_height(comparisons)
        draw_comparison(self.plt, comparisons)
        self.refresh()
