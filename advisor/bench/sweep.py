"""Volume sweeps: the same benchmark at log-spaced volumes, and what changes along them.

Between measured volumes a strategy's time per run is interpolated in log-log space, as the
estimator does (`estimates.loglog`). Two findings per pair of strategies:
- where the ranking changes ("driver_executemany overtakes core_execute at about 3.2k rows");
- where their times per run differ by less than CLARITY_S: below that, the seed article argues,
  the clearer code wins over the faster one.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from advisor.advice.estimates import loglog
from advisor.bench.events import PointStarted, SweepEvent
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.errors import InputError
from advisor.limits import MAX_SWEEP_POINTS
from advisor.results import BenchPlan, SweepReport
from advisor.units import format_count

CLARITY_S = 0.100
DEFAULT_POINTS = 5
SIGNIFICANT_DIGITS = 2  # volumes are rounded to two significant digits: 3200, not 3162
SAMPLES_PER_SEGMENT = 64  # where the gap is scanned for CLARITY_S, refined by bisection


def log_volumes(low: int, high: int, points: int = DEFAULT_POINTS) -> list[int]:
    """`points` volumes from `low` to `high`, evenly spaced in log, ends kept exactly.

    Rounding can make neighbours equal on a narrow range; those are merged.
    """
    if not 1 <= low < high:
        raise InputError(f"a sweep goes from a lower to a higher volume, not {low}..{high}")
    if not 2 <= points <= MAX_SWEEP_POINTS:
        raise InputError(f"a sweep has 2 to {MAX_SWEEP_POINTS} points, not {points}")
    step = math.log(high / low) / (points - 1)
    inner = [_round(low * math.exp(step * i)) for i in range(1, points - 1)]
    return sorted({low, high, *(v for v in inner if low < v < high)})


def _round(value: float) -> int:
    digits = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(value))
    return int(round(value, digits))


def run_sweep(
    target: Target,
    plan: BenchPlan,
    volumes: list[int],
    on_event: Callable[[SweepEvent], None] | None = None,
    cancel: threading.Event | None = None,
) -> SweepReport:
    """`plan` at every volume, smallest first: each point a full, verified benchmark."""
    emit = on_event or (lambda event: None)
    sweep = SweepReport(volumes, started=datetime.now(UTC).isoformat(timespec="seconds"))
    t0 = time.monotonic()
    for index, rows in enumerate(volumes, 1):
        emit(PointStarted(index, len(volumes), rows))
        sweep.points.append(run_benchmark(target, replace(plan, rows=rows), emit, cancel))
    sweep.elapsed_s = time.monotonic() - t0
    return sweep


# --- findings ------------------------------------------------------------------------------


def about(rows: float) -> str:
    """A volume found by interpolation, to two significant digits: 3.2k."""
    return format_count(_round(rows))


@dataclass(frozen=True)
class Overtake:
    """`faster` takes less time per run than `slower` above `rows` (and more below it)."""

    faster: str
    slower: str
    rows: float

    def sentence(self) -> str:
        return f"{self.faster} overtakes {self.slower} at about {about(self.rows)} rows"


@dataclass(frozen=True)
class Close:
    """From `start` to `end` rows the two differ by less than CLARITY_S per run.

    `faster` is the one ahead over the whole stretch, None when they swap inside it.
    `low` and `high` are the measured range the pair shares.
    """

    first: str
    second: str
    start: float
    end: float
    low: int
    high: int
    faster: str | None

    def sentence(self) -> str:
        ms = f"{CLARITY_S * 1000:.0f} ms"
        if self.faster is None:
            who = f"{self.first} and {self.second} differ by less than {ms} per run"
        else:
            slower = self.second if self.faster == self.first else self.first
            who = f"{self.faster} saves less than {ms} per run over {slower}"
        if self.start <= self.low and self.end >= self.high:
            span = f"{format_count(self.low)} to {format_count(self.high)} rows"
            return f"across the whole range ({span}), {who}: clarity wins"
        if self.start <= self.low:
            return f"below about {about(self.end)} rows, {who}: clarity wins there"
        if self.end >= self.high:
            return f"from about {about(self.start)} rows up to {format_count(self.high)}, {who}"
        return f"between about {about(self.start)} and {about(self.end)} rows, {who}"


@dataclass(frozen=True)
class Apart:
    """The faster one saves at least CLARITY_S per run at every volume the pair shares."""

    faster: str
    slower: str
    low: int
    high: int

    def sentence(self) -> str:
        return (
            f"{self.faster} saves at least {CLARITY_S * 1000:.0f} ms per run over {self.slower} "
            f"at every volume measured ({format_count(self.low)} to {format_count(self.high)} "
            "rows)"
        )


Crossover = Overtake | Close | Apart


def crossovers(series: dict[str, list[tuple[int, float]]]) -> list[Crossover]:
    """Ranking changes and stretches within CLARITY_S for every pair with two or more
    verified volumes in common, pairs in the order of `series`."""
    out: list[Crossover] = []
    for a, b in itertools.combinations(series, 2):
        common = sorted(set(dict(series[a])) & set(dict(series[b])))
        if len(common) < 2:
            continue
        pa = [(r, s) for r, s in series[a] if r in common]
        pb = [(r, s) for r, s in series[b] if r in common]
        out += overtakes(a, pa, b, pb)
        out += closeness(a, pa, b, pb)
    return out


def overtakes(
    a: str, pa: list[tuple[int, float]], b: str, pb: list[tuple[int, float]]
) -> list[Overtake]:
    """Sign changes of log(time a / time b) along volumes measured for both (same order).

    On shared volumes both curves are straight within a segment in log-log space, so their
    log ratio is too and the crossing is found exactly. An exact tie at a measured volume
    counts as a crossing there when the order differs on each side.
    """
    rows = [r for r, _ in pa]
    ratio = [math.log(sa / sb) for (_, sa), (_, sb) in zip(pa, pb, strict=True)]
    found = []
    last: int | None = None  # the latest volume where they were not tied
    for i, d in enumerate(ratio):
        if d == 0:
            continue
        if last is not None and (ratio[last] < 0) != (d < 0):
            if i == last + 1:
                share = ratio[last] / (ratio[last] - d)
                at = math.exp(math.log(rows[last]) + share * math.log(rows[i] / rows[last]))
            else:
                at = rows[last + 1]
            faster, slower = (a, b) if d < 0 else (b, a)
            found.append(Overtake(faster, slower, at))
        last = i
    return found


def closeness(
    a: str, pa: list[tuple[int, float]], b: str, pb: list[tuple[int, float]]
) -> list[Close | Apart]:
    """Stretches of the shared range where |time a - time b| < CLARITY_S, or `Apart`."""
    low, high = pa[0][0], pa[-1][0]

    def gap(rows: float) -> float:
        return loglog(pa, rows) - loglog(pb, rows)

    def close(log_rows: float) -> bool:
        return abs(gap(math.exp(log_rows))) < CLARITY_S

    knots = [math.log(r) for r, _ in pa]
    grid = [knots[0]]
    for left, right in itertools.pairwise(knots):
        grid += [
            left + (right - left) * k / SAMPLES_PER_SEGMENT for k in range(1, SAMPLES_PER_SEGMENT)
        ]
        grid.append(right)  # exactly, so a stretch that reaches the top ends on it
    stretches: list[tuple[float, float]] = []
    start = grid[0] if close(grid[0]) else None
    for left, right in itertools.pairwise(grid):
        if close(left) == close(right):
            continue
        edge = _bisect(close, left, right)
        if start is None:
            start = edge
        else:
            stretches.append((start, edge))
            start = None
    if start is not None:
        stretches.append((start, grid[-1]))
    if not stretches:
        faster, slower = (a, b) if gap(high) < 0 else (b, a)
        return [Apart(faster, slower, low, high)]
    ends = {grid[0]: float(low), grid[-1]: float(high)}  # exact, for the sentences
    out: list[Close | Apart] = []
    for lo, hi in stretches:
        signs = {gap(math.exp(x)) < 0 for x in (lo, *(x for x in grid if lo < x < hi), hi)}
        ahead = None if len(signs) != 1 else (a if signs == {True} else b)
        out.append(
            Close(a, b, ends.get(lo, math.exp(lo)), ends.get(hi, math.exp(hi)), low, high, ahead)
        )
    return out


def _bisect(test: Callable[[float], bool], left: float, right: float) -> float:
    """The point between `left` and `right` where `test` flips, to within a part in 1e6."""
    expected = test(left)
    while right - left > 1e-6:
        middle = (left + right) / 2
        if test(middle) == expected:
            left = middle
        else:
            right = middle
    return (left + right) / 2
