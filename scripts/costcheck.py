"""Cost: what a benchmark costs beyond its timed runs, and how long the app's comparison takes.

* `advisor bench` at 10k and at 100k rows (defaults otherwise: the sync strategies, 3 runs,
  warmup, memory pass, ceiling), timed from outside as a user waits for it: wall time from
  launch to exit against the sum of every timed run in its JSON (the ceiling's included),
  target wall <= 1.3 x timed + 3 s.
* The app's comparison: every available sync strategy at 10k rows, 3 runs, through the app's
  own bench panel (headless, `App.run_test`), from the Run key to the finished report:
  about 10 s on the reference machine.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from advisor.results import BenchPlan, BenchReport
from advisor.strategy_info import STRATEGIES, SYNC_IDS

APP_ROWS = 10_000
APP_TARGET_S = 10.0


def line(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'FAIL'}  {name:<36} {detail}", flush=True)
    return ok


def timed_s(report: BenchReport) -> float:
    """The sum of a report's timed runs, the ceiling's included."""
    timed = sum(sum(result.runs_s) for result in report.results)
    return timed + (sum(report.ceiling.runs_s) if report.ceiling is not None else 0.0)


def check_wall(rows: str) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        t0 = time.perf_counter()
        args = ["bench", "--rows", rows, "--no-chart", "--json", str(out)]
        done = subprocess.run(
            [sys.executable, "-m", "advisor", *args],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            return line(f"bench {rows} wall <= 1.3 x timed + 3 s", False, done.stderr.strip())
        timed = timed_s(BenchReport.from_dict(json.loads(out.read_text())))
    limit = 1.3 * timed + 3
    detail = (
        f"wall {wall:.1f} s, timed runs {timed:.1f} s: {wall / timed:.2f}x "
        f"(limit 1.3 x {timed:.1f} + 3 = {limit:.1f} s)"
    )
    return line(f"bench {rows} wall <= 1.3 x timed + 3 s", wall <= limit, detail)


def app_comparison_s() -> tuple[float, BenchReport]:
    """Seconds from starting the app's bench panel on the sync strategies to its report,
    and the report."""
    from textual.app import App, ComposeResult

    import advisor.tui.app as app_module
    from advisor.bench.server import Target
    from advisor.tui.widgets.bench_panel import BenchPanel

    ids = [sid for sid in SYNC_IDS if STRATEGIES[sid].missing_module() is None]
    plan = BenchPlan(rows=APP_ROWS, strategies=ids)
    target = Target.resolve(None, environ={})

    class Probe(App[None]):
        CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

        def __init__(self) -> None:
            super().__init__()
            self.ended = asyncio.Event()
            self.stopped: str | None = None

        def target(self) -> Target:
            return target

        def compose(self) -> ComposeResult:
            yield BenchPanel(id="panel")

        # The panel's own messages say when it is done: its worker's state changes first,
        # so polling that could see the run over before the report has arrived.
        def on_bench_panel_finished(self) -> None:
            self.ended.set()

        def on_bench_panel_stopped(self, message: BenchPanel.Stopped) -> None:
            self.stopped = message.message or "cancelled"
            self.ended.set()

    async def run() -> tuple[float, BenchReport]:
        app = Probe()
        async with app.run_test(size=(100, 40)):
            panel = app.query_one(BenchPanel)
            t0 = time.perf_counter()
            panel.start(plan)
            await app.ended.wait()
            if panel.finished is None:
                raise RuntimeError(f"the app's comparison stopped: {app.stopped}")
            return time.perf_counter() - t0, panel.finished

    try:
        return asyncio.run(run())
    finally:
        target.close()


def check_app() -> bool:
    seconds, report = app_comparison_s()
    plan = report.plan
    detail = (
        f"{seconds:.1f} s for {len(plan.strategies)} strategies x {plan.rows:,} rows x "
        f"{plan.repeat} runs (server start included; its timed runs {timed_s(report):.1f} s), "
        f"target about {APP_TARGET_S:.0f} s"
    )
    return line("app comparison about 10 s", seconds <= 1.2 * APP_TARGET_S, detail)
