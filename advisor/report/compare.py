"""Saved vs new measurements of one plan, strategy by strategy, told apart from noise.

A strategy is flagged slower only when two things hold: the new median is more than SLOWER
below the saved one, and the two sets of runs do not overlap at all with at least MIN_RUNS
runs on each side (every new run slower than every saved run; for 3 against 3 that is a
one-sided Mann-Whitney U test at p = 0.05). A bigger drop that fails the second test is
shown as "within noise".

Runs of one measurement share the machine's state of the moment, so they say nothing of how
much a machine drifts between two measurements (2-3x here within minutes). Two things take
that drift out. The machine's factor is the median new/saved ratio over everything both
measurements verified, the strategies and the server ceiling (at least MACHINE_VOTES of
them): a strategy is judged on its runs scaled by it, that is, against the others measured
beside it. And a strategy that still looks slower is measured a second time (`confirm`): a
regression shows in both measurements, a burst of the machine's load in one. A slowdown
that every strategy and the ceiling share is the machine's, and is reported as such.

The saved side is one measurement, taken in one state of the machine, and the strategies'
places among each other move with it too (20-30% here). When the profile's history holds two
saved measurements or more of the plan, a strategy must also stand lower among the others
now than in every one of them (`beyond_history`): the more measurements are kept with
`rerun --update`, the surer the check.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from advisor.results import BenchReport, CeilingResult, StrategyResult

SLOWER = 0.10  # a drop of more than 10% in rows/s...
MIN_RUNS = 3  # ...with all runs apart, at least this many on each side
MACHINE_VOTES = 3  # verified measurements in common that the machine's factor needs


def _apart(before: tuple[float, ...], after: tuple[float, ...]) -> bool:
    """Enough runs on both sides, and every `after` run slower than every `before` one."""
    return len(before) >= MIN_RUNS and len(after) >= MIN_RUNS and min(after) > max(before)


@dataclass(frozen=True)
class Machine:
    """How fast the machine ran now against the saved measurement, from the ratios of
    everything both verified."""

    ratios: tuple[float, ...]  # new/saved rows/s of each strategy and the ceiling
    ceiling: float | None  # the server ceiling's ratio, when both measured it

    @property
    def factor(self) -> float:
        """What the new runs are scaled by before they are judged."""
        return statistics.median(self.ratios)


def machine(saved: BenchReport | None, new: BenchReport) -> Machine | None:
    """The machine's factor, when both measurements verified at least MACHINE_VOTES of the
    same things."""
    if saved is None:
        return None

    def ratio(
        before: StrategyResult | CeilingResult | None, after: StrategyResult | CeilingResult | None
    ) -> float | None:
        rates = [t.rows_per_s if t is not None and t.verified else 0.0 for t in (before, after)]
        return rates[1] / rates[0] if rates[0] > 0 and rates[1] > 0 else None

    old = {r.strategy: r for r in saved.results}
    ceiling = ratio(saved.ceiling, new.ceiling)
    ratios = [ratio(old.get(r.strategy), r) for r in new.results] + [ceiling]
    votes = tuple(r for r in ratios if r is not None)
    return Machine(votes, ceiling) if len(votes) >= MACHINE_VOTES else None


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
    machine: float | None = None  # Machine.factor, the new runs are judged against it
    confirmed: bool | None = None  # measured a second time (see confirm): slower again?
    again: float | None = None  # the second measurement's adjusted ratio
    # Where it stood among the strategies (its rows/s over their median) in each saved
    # measurement of the profile's history, and now: see `beyond_history`.
    history: tuple[float, ...] = ()
    standing: float | None = None

    @property
    def failed(self) -> bool:
        """Run, and not verified (a strategy that was not run has nothing to fail)."""
        return not self.verified and not self.na

    @property
    def ratio(self) -> float | None:
        """New over saved rows/s, as measured."""
        return self.new / self.saved if self.saved and self.new else None

    @property
    def adjusted(self) -> float | None:
        """The ratio with the machine's own change taken out."""
        return None if self.ratio is None else self.ratio / (self.machine or 1.0)

    @property
    def distinguishable(self) -> bool:
        """Enough runs on both sides, and every new run (at the saved machine speed)
        slower than every saved one."""
        factor = self.machine or 1.0
        return _apart(self.saved_runs_s, tuple(s * factor for s in self.new_runs_s))

    @property
    def dropped(self) -> bool:
        return self.adjusted is not None and self.adjusted < 1 - SLOWER

    @property
    def beyond_history(self) -> bool:
        """With two saved measurements or more, it now stands more than SLOWER below the
        lowest place it held among the strategies in any of them (the history's own spread
        is what a saved measurement alone cannot show)."""
        if len(self.history) < 2:
            return True
        return self.standing is not None and self.standing < min(self.history) * (1 - SLOWER)

    @property
    def suspect(self) -> bool:
        """Slower beyond noise in this measurement."""
        return self.dropped and self.distinguishable and self.beyond_history

    @property
    def slower(self) -> bool:
        """A regression: a real drop, told apart from noise, and seen again when measured
        a second time."""
        return self.suspect and self.confirmed is not False


def standings(rates: Mapping[str, float]) -> dict[str, float]:
    """Each strategy's rows/s over the median of all: its place, whatever the machine's
    speed; none with fewer than MACHINE_VOTES strategies."""
    measured = {s: r for s, r in rates.items() if r > 0}
    if len(measured) < MACHINE_VOTES:
        return {}
    middle = statistics.median(measured.values())
    return {s: r / middle for s, r in measured.items()}


def compare(
    saved: BenchReport | None,
    new: BenchReport,
    history: Sequence[Mapping[str, float]] = (),
) -> list[Comparison]:
    """`history`: the rows/s of each saved measurement of the same plan, oldest first."""
    before: dict[str, StrategyResult] = (
        {r.strategy: r for r in saved.results if r.verified} if saved else {}
    )
    found = machine(saved, new)
    factor = found.factor if found else None
    places = [standings(rates) for rates in history]
    now = standings({r.strategy: r.rows_per_s for r in new.results if r.verified})
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
                factor,
                history=tuple(p[r.strategy] for p in places if r.strategy in p),
                standing=now.get(r.strategy),
            )
        )
    return out


def confirm(first: list[Comparison], second: list[Comparison]) -> list[Comparison]:
    """`first` with each suspect judged again on a second measurement of it: it stays
    slower only when the second one is also slower beyond noise."""
    again = {c.strategy: c for c in second}
    return [
        replace(c, confirmed=other.suspect, again=other.adjusted)
        if c.suspect and (other := again.get(c.strategy)) is not None
        else c
        for c in first
    ]


def machine_note(found: Machine | None) -> str:
    """One sentence on the machine's factor: what each strategy was judged against."""
    if found is None:
        return (
            f"fewer than {MACHINE_VOTES} measurements verified in both runs: each strategy "
            "is compared as measured"
        )
    what = f"the median new/saved of {len(found.ratios)} measurements"
    if found.ceiling is not None:
        what += f" (the server ceiling: {found.ceiling:.2f}×)"
    pace = (
        "about its saved speed"
        if abs(found.factor - 1) <= SLOWER
        else f"{'slower' if found.factor < 1 else 'faster'} than when saved"
    )
    return (
        f"machine: {found.factor:.2f}×, {what}: it ran {pace}; each strategy is judged "
        f"against that (new/saved ÷ {found.factor:.2f}, the ÷ machine column)"
    )


def comparison_table(
    comparisons: list[Comparison],
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The table's columns and rows; "÷ machine" when the runs were judged against the
    machine's factor."""
    adjusted = any(c.machine is not None for c in comparisons)
    headers: tuple[str, ...] = ("strategy", "saved rows/s", "new rows/s", "new/saved")
    headers += ("÷ machine", "") if adjusted else ("",)
    return headers, [comparison_cells(c, adjusted_column=adjusted) for c in comparisons]


def comparison_cells(c: Comparison, *, adjusted_column: bool = False) -> tuple[str, ...]:
    from advisor.units import format_count

    def times(ratio: float | None) -> str:
        return "—" if ratio is None else f"{ratio:.2f}×"

    if c.unavailable:
        flag = "n/a: not installed"  # nothing measured: a --check cannot pass on it
    elif c.na:
        flag = "n/a"
    elif not c.verified:
        flag = "NOT VERIFIED"
    elif c.slower and c.adjusted is not None:
        again = f" (again: {times(c.again)})" if c.confirmed else ""
        flag = f"{(1 - c.adjusted) * 100:.0f}% slower{again}"
    elif c.suspect:  # not seen again when measured a second time
        flag = f"within noise (again: {times(c.again)})"
    elif c.dropped and c.distinguishable:  # not below where the history has seen it
        flag = "within its saved range"
    elif c.dropped:
        flag = "within noise"
    elif c.saved is None:
        flag = "new"
    else:
        flag = ""
    cells = (
        c.strategy,
        "—" if c.saved is None else format_count(c.saved),
        "—" if c.new is None else format_count(c.new),
        times(c.ratio),
    )
    return cells + ((times(c.adjusted),) if adjusted_column else ()) + (flag,)
