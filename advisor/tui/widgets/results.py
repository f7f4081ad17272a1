"""The results table, fitted to the terminal: two-line headers as the CLI prints them, and
the least needed columns left out when the width runs short."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from advisor.report.bench import HEADERS, ranked, result_cells
from advisor.results import BenchReport

# Left out first to last while the table is too wide: the layer (the id's prefix names it),
# the spread, memory, the share of the ceiling, the speed-up. `verified` never goes: a figure
# must keep the mark that says whether it can be trusted.
DROP_ORDER = ("layer", "min–max", "peak MiB", "% of ceiling", "× vs slowest")
CELL_PADDING = 1  # DataTable's, on each side of a cell


def two_lines(header: str) -> str:
    """`% of ceiling` as `% of` over `ceiling`; a short header sits on the lower line."""
    split = header.replace(" of ", " of\n").replace(" vs ", " vs\n").replace(" MiB", "\nMiB")
    return split if "\n" in split else "\n" + split


def fitting_columns(rows: list[tuple[str, ...]], width: int) -> list[int]:
    """The indexes into HEADERS of the columns that fit in `width` cells."""
    need = [
        max(
            len(line) for text in (two_lines(h), *(r[i] for r in rows)) for line in text.split("\n")
        )
        + 2 * CELL_PADDING
        for i, h in enumerate(HEADERS)
    ]
    keep = list(range(len(HEADERS)))
    for name in DROP_ORDER:
        if sum(need[i] for i in keep) <= width:
            break
        keep.remove(HEADERS.index(name))
    return keep


class ResultsTable(DataTable[Text]):
    """Medians, spread, rates, verification and memory per strategy, fastest first."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, zebra_stripes=True, cursor_type="row", header_height=2)
        self.report: BenchReport | None = None

    def show(self, report: BenchReport | None) -> None:
        self.report = report
        self._fill()

    def on_resize(self, event: events.Resize) -> None:
        self._fill()

    def _fill(self) -> None:
        rows = [result_cells(self.report, r) for r in ranked(self.report)] if self.report else []
        # Room for a vertical scrollbar, should the rows outgrow the height. A table not laid
        # out yet (a hidden tab) gets every column, and is fitted when it is.
        width = self.size.width - self.styles.scrollbar_size_vertical
        keep = fitting_columns(rows, width) if self.size.width else list(range(len(HEADERS)))
        self.clear(columns=True)
        for i in keep:
            self.add_column(Text(two_lines(HEADERS[i]), justify="left" if i < 2 else "right"))
        for cells in rows:
            self.add_row(*(Text(cells[i], justify="left" if i < 2 else "right") for i in keep))
