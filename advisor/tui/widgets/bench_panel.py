"""A running benchmark: progress per strategy and overall, a live chart and a results table.

The work happens in a thread worker that calls `advisor.bench.runner.run_benchmark`; the runner's
events come back as messages (post_message is thread-safe), so widgets are only ever touched
from the app's thread. Stopping sets the runner's cancel event: it stops between batches
and drops the sandbox before the worker ends.

The display never competes with a timed insert: the runner reports progress only while its
clock is paused, and waits there until the app has handled the report and repainted (an app
repainting beside the insert made 20k-row runs 15-22% slower). So the bars move between
batches, not during one.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerFailed, WorkerState

from advisor.bench.events import (
    PHASE_LABELS,
    BenchStarted,
    CeilingFinished,
    Event,
    Progress,
    RunFinished,
    StrategyFinished,
)
from advisor.errors import AdvisorError, Cancelled
from advisor.results import BenchPlan, BenchReport
from advisor.strategy_info import ALL_IDS
from advisor.tui.widgets.charts import RowsPerSecondChart
from advisor.tui.widgets.results import ResultsTable
from advisor.units import counted

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp


# The screens that hold a panel bind its tabs' keys, which also lead the tabs' titles.
TAB_KEYS: list[BindingType] = [
    Binding("1", "show_tab('tab-chart')", "Chart tab", show=False),
    Binding("2", "show_tab('tab-results')", "Results tab", show=False),
]


# Longest the runner waits for the display to settle before it goes on regardless (an app
# busy elsewhere, or closing, must not hold up a benchmark).
SETTLE_TIMEOUT_S = 1.0


class BenchPanel(Vertical):
    class RunnerEvent(Message):
        def __init__(self, event: Event, settled: threading.Event | None = None) -> None:
            super().__init__()
            self.event = event
            self.settled = settled  # set once the event is shown and the screen repainted

    class Finished(Message):
        def __init__(self, report: BenchReport) -> None:
            super().__init__()
            self.report = report

    class Stopped(Message):
        """Cancelled (message is None) or failed (message says why); the panel has already
        told the user (a notification, or an error dialog)."""

        def __init__(self, message: str | None) -> None:
            super().__init__()
            self.message = message

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cancel = threading.Event()
        self._worker: Worker[BenchReport | None] | None = None
        self.report: BenchReport | None = None  # as far as it got: results arrive one by one
        self.finished: BenchReport | None = None  # a whole measurement: what can be saved
        self._runs_done: dict[str, int] = {}  # finished runs per strategy, for its bar
        self._runs = 0  # runs per strategy, memory pass and warmups included

    def compose(self) -> ComposeResult:
        with Horizontal(classes="overall", id="overall-row"):
            yield Label("overall", classes="bar-label")
            yield ProgressBar(id="overall", show_eta=False)
        yield Static("", id="now", classes="now")
        with Vertical(id="strategy-bars"):
            for sid in ALL_IDS:
                with Horizontal(classes="strategy-bar", id=f"row-{sid}"):
                    yield Label(sid, classes="bar-label")
                    yield ProgressBar(id=f"bar-{sid}", show_eta=False)
        # The key that shows a tab leads its title (the screens bind 1, 2, 3).
        with TabbedContent(id="bench-tabs"):
            with TabPane("1 Chart", id="tab-chart"), VerticalScroll():
                yield RowsPerSecondChart(id="chart")
            with TabPane("2 Results", id="tab-results"):
                yield ResultsTable(id="results")

    def show_tab(self, tab: str) -> None:
        self.query_one("#bench-tabs", TabbedContent).active = tab

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    def start(self, plan: BenchPlan) -> None:
        if self.running:
            return
        self.report = self.finished = None
        self._cancel = threading.Event()
        self._runs_done = {}
        self._runs = plan.runs_per_strategy
        # Hidden while a saved report is shown, and the strategies' bars once a run is over.
        self.query_one("#overall-row").display = True
        self.query_one("#strategy-bars").display = True
        for sid in ALL_IDS:
            self.query_one(f"#row-{sid}").display = sid in plan.strategies
            self.query_one(f"#bar-{sid}", ProgressBar).update(total=self._runs, progress=0)
        self.query_one("#results", ResultsTable).show(None)
        self.query_one("#now", Static).update("starting the server and the sandbox…")
        self._worker = self._run(plan)
        self.refresh_bindings()  # what the screen offers depends on whether a run is going

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.query_one("#now", Static).update(
                "cancelling: stopping after this batch and dropping the sandbox…"
            )

    def on_unmount(self) -> None:
        # Gone with a run going (the app closed some other way than quitting): the runner
        # stops at its next batch and drops the sandbox, rather than run the plan to its end
        # in a thread nobody watches.
        self._cancel.set()

    async def stop(self) -> None:
        """Cancel and wait until the sandbox is gone (used before quitting)."""
        if self._worker is not None and self.running:
            self.cancel()
            with contextlib.suppress(WorkerFailed):  # a failure was already shown to the user
                await self._worker.wait()

    @work(thread=True, exclusive=True, exit_on_error=False, group="bench")
    def _run(self, plan: BenchPlan) -> BenchReport | None:
        """The report, or None when cancelled (cancelling is not a failure)."""
        from advisor.bench.runner import run_benchmark

        target = cast("AdvisorApp", self.app).target()
        target.info()  # starts the embedded server, or checks the DSN, before the sandbox

        def forward(event: Event) -> None:
            # A Progress event comes just before the clock resumes: wait until everything
            # reported so far is on the screen. The others are followed by untimed work.
            settled = threading.Event() if isinstance(event, Progress) else None
            if self.post_message(self.RunnerEvent(event, settled)) and settled is not None:
                settled.wait(SETTLE_TIMEOUT_S)

        try:
            return run_benchmark(target, plan, on_event=forward, cancel=self._cancel)
        except Cancelled:
            return None

    def on_bench_panel_runner_event(self, message: RunnerEvent) -> None:
        event = message.event
        message.stop()
        if message.settled is not None and not self.call_after_refresh(message.settled.set):
            message.settled.set()  # closing: there will be no refresh
        if isinstance(event, BenchStarted):
            self.report = BenchReport(event.plan, event.environment, started="")
            self.query_one("#chart", RowsPerSecondChart).show(self.report)  # "nothing yet"
            self.query_one("#overall", ProgressBar).update(
                total=event.steps * event.plan.rows, progress=0
            )
        elif isinstance(event, Progress):
            self._progress(event)
        elif isinstance(event, RunFinished):
            if event.label != "ceiling":
                done = self._runs_done[event.label] = self._runs_done.get(event.label, 0) + 1
                bar = self.query_one(f"#bar-{event.label}", ProgressBar)
                bar.update(total=self._runs, progress=done)
        elif isinstance(event, CeilingFinished) and self.report is not None:
            self.report.ceiling = event.ceiling
        elif isinstance(event, StrategyFinished) and self.report is not None:
            if event.result.not_run:  # n/a, never run: its bar would wait forever
                self.query_one(f"#row-{event.result.strategy}").display = False
            self.report.results.append(event.result)
            self._refresh_results()

    def _progress(self, event: Progress) -> None:
        rows = event.rows_total
        self.query_one("#overall", ProgressBar).update(progress=event.step * rows + event.rows_done)
        bar = (
            None if event.label == "ceiling" else self.query_one(f"#bar-{event.label}", ProgressBar)
        )
        if event.phase == "memory":
            # One traced insert, slowed by tracemalloc and reporting no rows until it ends:
            # a bar that pulses says it is working, where one at 0% would look stuck.
            self.query_one("#now", Static).update(
                f"{event.label}: memory pass (untimed, traced) · {counted(rows, 'row')}"
            )
            if bar is not None:
                bar.update(total=None)
            return
        # Rows arrive per batch of up to 50,000: a smaller run has no "0 of n" to show.
        done = f"{event.rows_done:,} of {rows:,}" if event.rows_done else f"{rows:,}"
        self.query_one("#now", Static).update(
            f"{event.label}: {PHASE_LABELS[event.phase]} {event.run} of {event.runs} · {done} rows"
        )
        if bar is not None:
            runs_done = self._runs_done.get(event.label, 0)
            bar.update(total=self._runs, progress=runs_done + event.rows_done / rows)

    def _refresh_results(self) -> None:
        assert self.report is not None
        self.query_one("#results", ResultsTable).show(self.report)
        self.query_one("#chart", RowsPerSecondChart).show(self.report)

    def show_report(self, report: BenchReport) -> None:
        """Show a finished (e.g. saved) measurement without running anything."""
        self.report = self.finished = report
        self.query_one("#strategy-bars").display = False
        self.query_one("#overall-row").display = False
        self.query_one("#now", Static).update(
            f"measured {report.started} on {report.environment.target_description}"
        )
        self._refresh_results()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.query_one("#strategy-bars").display = False  # all full: room for the table
        if event.state == WorkerState.SUCCESS and event.worker.result is None:
            self.query_one("#now", Static).update("cancelled; the sandbox was dropped")
            self.notify("cancelled; the sandbox schema was dropped", title="Benchmark")
            self.post_message(self.Stopped(None))
        elif event.state == WorkerState.SUCCESS and isinstance(event.worker.result, BenchReport):
            self.report = self.finished = event.worker.result
            self._refresh_results()
            overall = self.query_one("#overall", ProgressBar)
            overall.update(progress=overall.total or 0)
            verified = all(r.verified for r in self.report.results if not r.not_run)
            outcome = "every run verified" if verified else "some runs NOT verified: see Results"
            self.query_one("#now", Static).update(
                f"done in {self.report.elapsed_s:.1f} s; {outcome}"
            )
            self.post_message(self.Finished(self.report))
        elif event.state == WorkerState.ERROR:
            from advisor.secrets import mask

            error = event.worker.error
            text = (
                str(error)
                if isinstance(error, AdvisorError)
                else f"{type(error).__name__}: {error}"
            )
            from advisor.tui.dialogs import ErrorDialog

            self.query_one("#now", Static).update("failed")
            self.app.push_screen(ErrorDialog("The benchmark failed", mask(text)))
            self.post_message(self.Stopped(mask(text)))
        self.refresh_bindings()  # the screen's offer depends on whether a run is going
