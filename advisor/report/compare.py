"""Saved vs new measurements of one plan, strategy by strategy, told apart from noise.

A strategy is flagged slower only when two things hold: the new median is more than SLOWER
below the saved one, and the two sets of runs do not overlap at all with at least MIN_RUNS
runs on each side (every new run slower than every saved run; for 3 against 3 that is a
one-sided Mann-Whitney U test at p = 0.05). A bigger drop that fails the second test is
shown as "within noise".
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.results import BenchReport, StrategyResult

SLOWER = 0.10  # a drop of more than 10% in rows/s...
MIN_RUNS = 3  # ...with all runs apart, at least this many on each side


@dataclass(frozen=True)
class Comparison:
    strategy: str
    saved: float | None  # rows/s, None when it was not measured (or not verified) before
    new: float | None
    verified: bool  # the new measurement
    saved_runs_s: tuple[float, ...] = ()
    new_runs_s: tuple[float, ...] = ()
    unavailable: bool = False  # not run: its optional library is missing here
    na: bool = False  # not run: no form for the plan's semantics

    @property
    def failed(self) -> bool:
        """Run, and not verified (a strategy that was not run has nothing to fail)."""
        return not self.verified and not self.na

    @property
    def ratio(self) -> float | None:
        return self.new / self.saved if self.saved and self.new else None

    @property
    def distinguishable(self) -> bool:
        """Enough runs on both sides, and every new run slower than every saved one."""
        saved, new = self.saved_runs_s, self.new_runs_s
        return len(saved) >= MIN_RUNS and len(new) >= MIN_RUNS and min(new) > max(saved)

    @property
    def dropped(self) -> bool:
        return self.ratio is not None and self.ratio < 1 - SLOWER

    @property
    def slower(self) -> bool:
        """A regression: a real drop, told apart from noise."""
        return self.dropped and self.distinguishable


def compare(saved: BenchReport | None, new: BenchReport) -> list[Comparison]:
    before: dict[str, StrategyResult] = (
        {r.strategy: r for r in saved.results if r.verified} if saved else {}
    )
    out = []
    for r in new.results:
        old = before.get(r.strategy)
        out.append(
            Comparison(
                r.strategy,
                old.rows_per_s if old else None,
                r.rows_per_s if r.verified else None,
                r.verified,
                tuple(old.runs_s) if old else (),
                tuple(r.runs_s) if r.verified else (),
                r.unavailable is not None,
                r.na is not None,
            )
        )
    return out


COMPARISON_HEADERS = ("strategy", "saved rows/s", "new rows/s", "new/saved", "")


def comparison_cells(c: Comparison) -> tuple[str, ...]:
    from advisor.units import format_count

    ratio = c.ratio
    if c.unavailable:
        flag = "n/a: not installed"  # nothing measured: a --check cannot pass on it
    elif c.na:
        flag = "n/a"
    elif not c.verified:
        flag = "NOT VERIFIED"
    elif c.slower and ratio is not None:
        flag = f"{(1 - ratio) * 100:.0f}% slower"
    elif c.dropped:
        flag = "within noise"
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
