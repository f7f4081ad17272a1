"""What a running benchmark reports, as typed events for the CLI's progress and the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from advisor.results import BenchPlan, CeilingResult, Environment, StrategyResult

# How a phase is named to the user, by its event name.
PHASE_LABELS = {"run": "run", "warmup": "warmup", "memory": "memory pass"}


@dataclass(frozen=True)
class BenchStarted:
    plan: BenchPlan
    environment: Environment
    steps: int  # runs in the whole benchmark, ceiling included


@dataclass(frozen=True)
class Progress:
    label: str  # strategy id, or "ceiling"
    phase: str  # "warmup", "run" or "memory"
    run: int  # 1-based within the phase
    runs: int
    rows_done: int
    rows_total: int
    step: int  # runs finished so far, overall
    steps: int


@dataclass(frozen=True)
class RunFinished:
    label: str
    phase: str
    run: int
    runs: int
    seconds: float
    verified: bool
    step: int
    steps: int


@dataclass(frozen=True)
class StrategyFinished:
    result: StrategyResult


@dataclass(frozen=True)
class CeilingFinished:
    ceiling: CeilingResult


Event = BenchStarted | Progress | RunFinished | StrategyFinished | CeilingFinished
EventHandler = Callable[[Event], None]


@dataclass(frozen=True)
class PointStarted:
    """A sweep moves to its next volume."""

    index: int  # 1-based
    points: int
    rows: int


SweepEvent = Event | PointStarted
