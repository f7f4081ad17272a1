"""The app's benchmark screen with upserts and returned ids, driven through Pilot."""

import io

from rich.console import Console
from textual.widgets import DataTable, Input, Static

from advisor.advice.plan import plan_for
from advisor.advice.rules import recommend
from advisor.results import BenchPlan, Semantics
from advisor.tui.app import AdvisorApp, make_app
from advisor.tui.screens.benchmark import BenchmarkScreen
from advisor.tui.widgets.bench_panel import BenchPanel
from advisor.workload import Workload


def _text(app: AdvisorApp, selector: str) -> str:
    out = io.StringIO()
    Console(width=200, file=out).print(app.screen.query_one(selector, Static).content)
    return out.getvalue().rstrip("\n")


async def test_the_screen_takes_the_workloads_answers_and_an_edited_conflict_share() -> None:
    workload = Workload.from_dict(
        {
            "shape": "dicts",
            "rows": 5_000,
            "correctness": "medium",
            "frequency": "hourly",
            "upsert": True,
            "returning": True,
        }
    )
    rec = recommend(workload)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(BenchmarkScreen(plan_for(rec), rec))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BenchmarkScreen)
        conflicts = screen.query_one("#conflicts", Input)
        assert conflicts.value == "0.5"
        assert _text(app, "#semantics") == "measuring upserts (50% conflicts), ids returned"
        conflicts.value = "0.2"
        await pilot.pause()
        assert screen._plan().semantics == Semantics(upsert=True, conflicts=0.2, returning=True)

        conflicts.value = "2"
        await pilot.pause()
        assert "conflicts must be a share from 0 to 1" in _text(app, "#plan-error")
        await pilot.press("r")
        await pilot.pause()
        assert not screen.query_one(BenchPanel).running, "a bad share is not run"


async def test_a_strategy_without_the_form_shows_as_na_in_the_app(dsn: str) -> None:
    plan = BenchPlan(
        strategies=["orm_bulk_save_objects", "driver_unnest"],
        semantics=Semantics(upsert=True, returning=True),
    )
    app = make_app(dsn=dsn)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(BenchmarkScreen(plan))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BenchmarkScreen)
        screen.query_one("#rows", Input).value = "200"
        screen.query_one("#repeat", Input).value = "1"
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = screen.query_one(BenchPanel)
        assert panel.report is not None
        na, unnest = (
            next(r for r in panel.report.results if r.strategy == sid)
            for sid in ("orm_bulk_save_objects", "driver_unnest")
        )
        assert na.na is not None and unnest.verified
        table = screen.query_one("#results", DataTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert cells[0][0] == "driver_unnest" and cells[0][7] == "yes"
        assert cells[1][0] == "orm_bulk_save_objects" and cells[1][7] == "n/a"
        assert "every run verified" in _text(app, "#now"), "n/a is not a failed verification"
        assert not screen.query_one("#row-orm_bulk_save_objects").display, "no bar waits for it"
