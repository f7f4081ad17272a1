"""Saved vs new measurements of one plan, strategy by strategy."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.results import BenchReport

SLOWER = 0.10  # a strategy more than 10% slower than saved is flagged


@dataclass(frozen=True)
class Comparison:
    strategy: str
    saved: float | None  # rows/s, None when it was not measured (or not verified) before
    new: float | None
    verified: bool  # the new measurement
    unavailable: bool = False  # not run: its optional library is missing here

    @property
    def ratio(self) -> float | None:
        return self.new / self.saved if self.saved and self.new else None

    @property
    def slower(self) -> bool:
        return self.ratio is not None and self.ratio < 1 - SLOWER


def compare(saved: BenchReport | None, new: BenchReport) -> list[Comparison]:
    before = {r.strategy: r.rows_per_s for r in saved.results if r.verified} if saved else {}
    return [
        Comparison(
            r.strategy,
            before.get(r.strategy),
            r.rows_per_s if r.verified else None,
            r.verified,
            r.unavailable is not None,
        )
        for r in new.results
    ]


COMPARISON_HEADERS = ("strategy", "saved rows/s", "new rows/s", "new/saved", "")


def comparison_cells(c: Comparison) -> tuple[str, ...]:
    from advisor.units import format_count

    ratio = c.ratio
    if c.unavailable:
        flag = "n/a: not installed"  # nothing measured: a --check cannot pass on it
    elif not c.verified:
        flag = "NOT VERIFIED"
    elif c.slower and ratio is not None:
        flag = f"{(1 - ratio) * 100:.0f}% slower"
    elif c.saved is None:
        flag = "new"
    else:
        flag = ""
    return (
        c.strategy,
        "—" if c.saved is None else format_count(c.saved),
        "—" if c.new is None else format_count(c.new),
        "—" if ratio is None else f"{ratio:.2f}×",
        flag,
    )
