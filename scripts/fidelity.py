"""Fidelity: does `advisor bench` report what a hand-written loop measures?

For every strategy, rounds of the tool's own benchmark (`run_benchmark`, as `advisor bench
--strategies S --no-memory --no-ceiling` runs it) with the loop of scripts/loops.py run
between its timed runs, on the same server and the same rows: tool, loop, tool, loop...
in one round and loop, tool, loop, tool... in the next, since this machine's speed drifts
within minutes (and by the second). Each tool run is paired with the loop run beside it;
a pair's ratio is the tool's rows/s over the loop's, and the check is the median of the
ratios of all pairs of all rounds, which must lie within 0.95-1.05.

A control measures the band against this machine's noise: the loop against itself, paired
and ordered the same way (CONTROLS). Its median would be 1.000 on a quiet machine; how far
it strays says how far a strategy's can stray for no reason of the tool's.

    python scripts/fidelity.py [--strategies sync|all|ids] [--rows 20k] [--rounds 5] [--dsn DSN]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass

import loops

from advisor.bench.data.datagen import StandardData
from advisor.bench.events import Event, RunFinished
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.cli.options import STRATEGY_LIST
from advisor.results import BenchPlan
from advisor.strategy_info import STRATEGIES
from advisor.units import parse_count

LOW, HIGH = 0.95, 1.05
CONTROLS = ("driver_copy", "orm_add_all")  # a fast and a slow loop, each against itself


@dataclass
class Fidelity:
    strategy: str
    ratios: list[float]
    verified: bool
    rounds: int = 0
    skipped: str | None = None
    control: bool = False  # the loop against itself: shown, not judged

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def ok(self) -> bool:
        passes = self.control or LOW <= self.median <= HIGH  # a control is not judged
        return self.skipped is not None or (self.verified and passes)

    def line(self) -> str:
        name = f"fidelity {'control ' if self.control else ''}{self.strategy}"
        if self.skipped is not None:
            return f"SKIP  {name:<36} {self.skipped}"
        spread = f"{min(self.ratios):.3f}-{max(self.ratios):.3f}"
        pairs = f"{len(self.ratios)} pairs in {self.rounds} rounds"
        sides = "loop/loop" if self.control else "tool/loop"
        detail = f"{sides} rows/s {self.median:.3f} ({spread}, {pairs})" + (
            "" if self.verified else "; a tool run was NOT verified"
        )
        status = "NOTE" if self.control else "PASS" if self.ok else "FAIL"
        return f"{status}  {name:<36} {detail}"


def measure(target: Target, strategy: str, rows: int, rounds: int, pairs: int) -> Fidelity:
    missing = STRATEGIES[strategy].missing_module()
    if missing is not None:
        return Fidelity(strategy, [], True, skipped=f"needs {missing}: not installed here")
    data = StandardData().rows(0, rows)
    bench = loops.Bench(strategy, target.dsn, data)
    ratios, verified = [], True
    try:
        bench.run_once()  # the loop's warmup; the tool's is its plan's
        for round_ in range(rounds):
            loop_first = round_ % 2 == 1
            times: list[float] = []

            def interleave(
                event: Event, loop_first: bool = loop_first, times: list[float] = times
            ) -> None:
                # Called while the tool's clock is stopped: after its warmup (loop first) or
                # after each timed run (tool first), until the loop has run `pairs` times.
                if not isinstance(event, RunFinished) or len(times) == pairs:
                    return
                if event.phase == "run" or (loop_first and event.phase == "warmup"):
                    times.append(bench.run_once())

            plan = BenchPlan(
                rows=rows,
                repeat=pairs,
                warmup=1,
                strategies=[strategy],
                memory=False,
                ceiling=False,
            )
            (result,) = run_benchmark(target, plan, on_event=interleave).results
            verified = verified and result.verified
            # Each run's rows/s ratio is the inverse ratio of its seconds.
            ratios += [loop / tool for tool, loop in zip(result.runs_s, times, strict=True)]
    finally:
        bench.close()
    return Fidelity(strategy, ratios, verified, rounds)


def control(target: Target, strategy: str, rows: int, rounds: int, pairs: int) -> Fidelity:
    """The loop against itself, in pairs of back-to-back runs, the first run of a pair
    taking the tool's place (second in every other round, as the tool's is)."""
    bench = loops.Bench(strategy, target.dsn, StandardData().rows(0, rows))
    ratios = []
    try:
        bench.run_once()  # the warmup
        for round_ in range(rounds):
            for _ in range(pairs):
                first, second = bench.run_once(), bench.run_once()
                stand_in, loop = (second, first) if round_ % 2 == 1 else (first, second)
                ratios.append(loop / stand_in)
    finally:
        bench.close()
    return Fidelity(strategy, ratios, True, rounds, control=True)


def check_fidelity(
    target: Target, strategies: list[str], rows: int, rounds: int, pairs: int
) -> bool:
    ok = True
    for strategy in strategies:
        found = measure(target, strategy, rows, rounds, pairs)
        print(found.line(), flush=True)
        ok = ok and found.ok
    for strategy in CONTROLS:
        print(control(target, strategy, rows, rounds, pairs).line(), flush=True)
    return ok


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategies", default="all", help="ids or groups (default: all)")
    parser.add_argument("--fidelity-rows", default="20k", help="rows per run (default: 20k)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per strategy (>= 5)")
    parser.add_argument("--pairs", type=int, default=3, help="tool/loop run pairs per round")


def selected(args: argparse.Namespace) -> list[str]:
    ids: list[str] = STRATEGY_LIST.convert(args.strategies, None, None)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--dsn", help="a server to measure on (default: an embedded one)")
    args = parser.parse_args()
    with Target.resolve(args.dsn, environ={}) as target:
        ok = check_fidelity(
            target, selected(args), parse_count(args.fidelity_rows), args.rounds, args.pairs
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
