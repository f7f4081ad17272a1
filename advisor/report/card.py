"""The human face of a Recommendation: a card that reads well at 80 columns."""

from __future__ import annotations

from typing import IO

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from advisor.advice.recommendation import Recommendation
from advisor.advice.verdict import Verdict
from advisor.tables import STANDARD
from advisor.units import counted, format_seconds
from advisor.workload import Workload

PIPE_WIDTH = 80  # a file or a pipe gets 80 columns: long text wraps, it is never cut
MAX_WIDTH = 100  # wider terminals still get a card that can be read in one sweep


def print_card(rec: Recommendation, stream: IO[str], found: Verdict | None = None) -> None:
    console = Console(file=stream, highlight=False)
    console.width = min(console.width, MAX_WIDTH) if console.is_terminal else PIPE_WIDTH
    with console.capture() as capture:
        for block in card_blocks(rec, found):
            console.print(block)
            console.print()
        console.print(Text("Snippet", style="bold"))
        console.print(Text(rec.snippet.rstrip("\n")), soft_wrap=True)
    # Tables pad every line to the full width; a copied or piped card should not carry that.
    stream.write("\n".join(line.rstrip() for line in capture.get().splitlines()) + "\n")


def card_blocks(rec: Recommendation, found: Verdict | None = None) -> list[RenderableType]:
    """The card's blocks; with a verdict (the advice recomputed from a measurement), the
    verdict comes first."""
    year = rec.per_year
    head = _pairs(
        [
            ("Recommended", f"{rec.strategy} — {rec.title} ({rec.layer} layer)"),
            (
                "Estimate",
                f"{format_seconds(rec.estimate_s)} per run; "
                f"{format_seconds(year.seconds_per_year)} a year ({year.model})",
            ),
            ("Figures", rec.estimate_source),
            ("Workload", workload_line(rec.workload)),
            *([("Table", rec.table)] if rec.table != STANDARD.name else []),
        ]
    )
    head.columns[0].style = "bold"
    blocks: list[RenderableType] = [head, _section("Why", rec.reasons, "•")]
    if found is not None:
        title = "Verdict: confirmed" if found.confirmed else "Verdict: changed"
        # Indented as a whole, so that every wrapped line keeps the indent, not the first only.
        text = Padding(Text(found.text), (0, 0, 0, 2))
        blocks.insert(0, Group(Text(title, style="bold"), text))
    trade = rec.trade_offs
    blocks.append(
        Group(
            Text("Trade-offs", style="bold"),
            _pairs(
                [
                    ("safety", trade.safety),
                    ("maintenance", trade.maintenance),
                    ("cognitive load", trade.cognitive_load),
                ],
                indent=2,
            ),
        )
    )
    if rec.warnings:
        blocks.append(_section("Warnings", rec.warnings, "!"))
    blocks.append(_alternatives(rec))
    return blocks


def workload_line(w: Workload) -> str:
    """The answers in one line: `dicts, 2,000,000 rows, correctness medium, daily, upsert`."""
    extras = [name for name, on in (("returning", w.returning), ("upsert", w.upsert)) if on]
    if w.budget_s is not None:
        extras.append(f"budget {format_seconds(w.budget_s)}")
    if w.rtt_ms:
        extras.append(f"rtt {w.rtt_ms:g} ms")
    base = f"{w.shape}, {counted(w.rows, 'row')}, correctness {w.correctness}, {w.frequency}"
    return ", ".join([base, *extras])


def _pairs(rows: list[tuple[str, str]], indent: int = 0) -> Table:
    grid = Table.grid(padding=(0, 2), pad_edge=False)
    grid.add_column(overflow="fold")
    grid.add_column(overflow="fold", ratio=1)
    for key, value in rows:
        grid.add_row(Text(" " * indent + key), Text(value))
    return grid


def _section(title: str, items: tuple[str, ...], bullet: str) -> Group:
    grid = Table.grid(padding=(0, 1), pad_edge=False)
    grid.add_column(width=3, justify="right")
    grid.add_column(overflow="fold", ratio=1)
    for item in items:
        grid.add_row(bullet, Text(item))
    return Group(Text(title, style="bold"), grid)


def _alternatives(rec: Recommendation) -> Group:
    table = Table(box=None, pad_edge=False, header_style="bold", padding=(0, 1))
    table.add_column("  strategy", overflow="fold")
    table.add_column("per run", justify="right", overflow="fold")
    table.add_column("why not", overflow="fold", ratio=1)
    for alt in rec.alternatives:
        table.add_row(
            Text("  " + alt.strategy, style="" if alt.usable else "dim"),
            format_seconds(alt.estimate_s),
            Text(alt.why_not),
        )
    title = "Alternatives (usable ones first, fastest first)"
    return Group(Text(title, style="bold"), table)
