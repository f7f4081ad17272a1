"""The Textual app, driven through Pilot on the real embedded server."""

import contextlib
import io
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.css.scalar import Unit
from textual.pilot import Pilot
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    Markdown,
    OptionList,
    Static,
)

from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.profiles.profile import Profile, load_file, save_profile
from advisor.results import BenchPlan
from advisor.strategy_info import SYNC_IDS
from advisor.tui.app import AdvisorApp, make_app
from advisor.tui.dialogs import ErrorDialog, HelpScreen, SaveDialog
from advisor.tui.screens.benchmark import BenchmarkScreen
from advisor.tui.screens.profile import ProfileScreen
from advisor.tui.screens.questionnaire import QuestionnaireScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.widgets.bench_panel import BenchPanel
from advisor.tui.widgets.charts import ComparisonChart
from advisor.tui.widgets.checks import CheckList
from tests.chart_text import comparison_bars
from tests.dbutil import sandbox_exists
from tests.plans import STRATEGY_IDS
from tests.tui_util import footer_text, screen_text
from tests.waiting import PATIENCE_S

CHOICES = {
    "shape": ["objects", "dicts", "tuples", "csv", "dataframe"],
    "correctness": ["low", "medium", "high"],
    "frequency": ["once", "daily", "hourly", "continuous"],
}


AppPilot = Pilot[Any]


async def _choose(pilot: AppPilot, key: str, value: str) -> None:
    """Move the highlight to `value` (from wherever it is) and press Enter."""
    options = pilot.app.screen.query_one(f"#answer-{key}", OptionList)
    options.highlighted = 0
    await pilot.press(*["down"] * CHOICES[key].index(value), "enter")


async def _answer(pilot: AppPilot, shape: str, rows: str, correctness: str, frequency: str) -> None:
    await _choose(pilot, "shape", shape)
    await pilot.press(*rows, "enter")
    await _choose(pilot, "correctness", correctness)
    await _choose(pilot, "frequency", frequency)
    await pilot.press("ctrl+n")  # the optional details keep their defaults
    await pilot.pause()


def _text(app: AdvisorApp, selector: str) -> str:
    """What a Static shows, as plain text (its content may be a rich renderable)."""
    out = io.StringIO()
    Console(width=200, file=out).print(app.screen.query_one(selector, Static).content)
    return out.getvalue().rstrip("\n")


@pytest.mark.parametrize(
    ("answers", "strategy"),
    [
        (("objects", "200", "high", "hourly"), "orm_add_all"),
        (("dicts", "2M", "medium", "daily"), "driver_copy"),
        (("tuples", "10M", "low", "once"), "driver_copy_binary"),
    ],
)
async def test_three_contrasting_workloads_get_their_recommendation(
    answers: tuple[str, ...], strategy: str
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _answer(pilot, *answers)
        screen = app.screen
        assert isinstance(screen, RecommendationScreen)
        assert screen.recommendation.strategy == strategy
        card = _text(app, "#card-body")
        assert f"Recommended  {strategy}" in card
        assert f"{answers[0]}, " in card and "Why" in card and "Alternatives" in card
        assert "def " in _text(app, "#snippet")


async def test_answers_typed_ahead_from_the_first_moment_reach_the_card() -> None:
    """The steps after the first are mounted once it has painted: keys pressed before
    that wait for them instead of failing."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        keys = ("down", "enter", "2", "M", "enter", "down", "enter", "down", "enter", "ctrl+n")
        await pilot.press(*keys)
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        w = app.screen.recommendation.workload
        assert (w.shape, w.rows, w.correctness, w.frequency) == (
            "dicts",
            2_000_000,
            "medium",
            "daily",
        )


async def test_a_dataframe_inside_an_event_loop_is_measured_with_its_async_alternatives(
    dsn: str,
) -> None:
    """The DataFrame answer and the asyncio checkbox on the last step; the benchmark screen
    preselects the plan, whose asyncio strategies run in the app's worker thread."""
    app = make_app(dsn=dsn)
    async with app.run_test(size=(100, 30)) as pilot:
        await _choose(pilot, "shape", "dataframe")
        await pilot.press(*"1M", "enter")
        await _choose(pilot, "correctness", "medium")
        await _choose(pilot, "frequency", "daily")
        box = app.screen.query_one("#answer-asyncio", Checkbox)
        assert "asyncio event loop" in str(box.label)
        box.value = True
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RecommendationScreen)
        assert screen.recommendation.strategy == "adbc_ingest"
        assert "await asyncio.to_thread(insert_frame, " in _text(app, "#snippet")
        await pilot.press("b")
        await pilot.pause()
        bench = app.screen
        assert isinstance(bench, BenchmarkScreen)
        planned = bench.plan.strategies
        assert {"adbc_ingest", "pandas_copy", "asyncpg_copy"} <= set(planned)
        assert not {"driver_copy", "psycopg2_copy_expert"} & set(planned), "blocking: not offered"
        bench.query_one("#rows", Input).value = "300"
        bench.query_one("#repeat", Input).value = "1"
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        report = bench.query_one(BenchPanel).report
        assert report is not None and [r.strategy for r in report.results] == planned
        assert all(r.verified for r in report.results), [
            (r.strategy, r.error) for r in report.results
        ]


async def test_an_invalid_volume_is_marked_inline_and_the_step_stays() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _choose(pilot, "shape", "dicts")
        await pilot.press("2", "x", "enter")
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen) and screen.step == 1
        assert "positive count" in _text(app, "#error-rows")
        await pilot.press("backspace", "M")
        assert _text(app, "#error-rows") == "", "a corrected value clears the message"
        await pilot.press("enter")
        assert screen.step == 2 and screen.answers["rows"] == "2M"


async def test_going_back_keeps_the_answers() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await _choose(pilot, "shape", "tuples")
        await pilot.press("5", "0", "0", "enter")
        await _choose(pilot, "correctness", "high")
        await pilot.press("escape", "escape", "escape")
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen) and screen.step == 0
        assert screen.query_one("#answer-shape", OptionList).highlighted == CHOICES["shape"].index(
            "tuples"
        )
        await pilot.press("enter")
        assert screen.query_one("#answer-rows", Input).value == "500"
        await pilot.press("enter")
        assert screen.query_one("#answer-correctness", OptionList).highlighted == CHOICES[
            "correctness"
        ].index("high")


async def _to_benchmark(pilot: AppPilot, rows: str = "300", repeat: str = "1") -> BenchmarkScreen:
    await _answer(pilot, "dicts", "2M", "medium", "daily")
    await pilot.press("b")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, BenchmarkScreen)
    screen.query_one("#rows", Input).value = rows
    screen.query_one("#repeat", Input).value = repeat
    return screen


async def test_a_benchmark_runs_in_a_worker_and_shows_verified_results(
    dsn: str, tmp_path: Path
) -> None:
    app = make_app(dsn=dsn)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _to_benchmark(pilot)
        planned = screen.plan.strategies
        assert planned and "driver_copy" in planned and "orm_bulk_save_objects" not in planned, (
            "preselected candidates"
        )
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = screen.query_one(BenchPanel)
        assert panel.report is not None
        assert [r.strategy for r in panel.report.results] == planned
        assert all(r.verified for r in panel.report.results)
        table = screen.query_one("#results", DataTable)
        assert table.row_count == len(planned)
        labels = [str(column.label).strip() for column in table.columns.values()]
        at = labels.index("verified")
        verified = [str(table.get_row_at(i)[at]) for i in range(table.row_count)]
        assert verified == ["yes"] * len(planned)
        assert "done in" in _text(app, "#now")

        path = tmp_path / "measured.toml"
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        app.screen.query_one("#path", Input).value = str(path)
        await pilot.click("#save")
        await pilot.pause()
    saved = load_file(path)
    assert saved.recommendation is not None and saved.recommendation.strategy == "driver_copy"
    assert saved.report is not None and [r.strategy for r in saved.report.results] == planned
    assert "postgres:" not in path.read_text(), "no connection string in a profile"


async def test_after_a_run_the_advice_is_recomputed_from_it_with_a_verdict(dsn: str) -> None:
    app = make_app(dsn=dsn)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _to_benchmark(pilot, rows="2000")
        assert "v Measured advice" not in footer_text(app), "nothing measured yet"
        await pilot.press("r")
        await app.workers.wait_for_complete()  # the run, then the verdict's worker
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.measured is not None
        after, found = screen.measured
        assert found.advised == "driver_copy" and found.measured == after.strategy
        assert after.estimate_source.startswith("measured now at 2,000 rows")
        assert "v Measured advice" in footer_text(app)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        card = screen_text(app)
        assert ("Verdict: confirmed" in card) is found.confirmed
        assert ("Verdict: changed" in card) is not found.confirmed
        assert "measured now at 2,000 rows" in card


async def test_cancel_stops_the_run_and_leaves_nothing(target: Target, dsn: str) -> None:
    app = make_app(dsn=dsn)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _to_benchmark(pilot, rows="200k")
        panel = screen.query_one(BenchPanel)
        await pilot.press("r")
        started = False
        for _ in range(int(PATIENCE_S / 0.05)):
            await pilot.pause(0.05)
            if "rows" in _text(app, "#now") and sandbox_exists(target):
                started = True
                break
        assert started, "the run never started: cancelling it would prove nothing"
        assert panel.running
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not panel.running
        assert "cancelled" in _text(app, "#now")
        assert isinstance(app.screen, BenchmarkScreen), "cancelling does not leave the screen"
    assert not sandbox_exists(target)


async def test_an_app_closed_mid_run_stops_the_run_and_drops_the_sandbox(
    target: Target, dsn: str
) -> None:
    """Closed some other way than quitting (here: the test's app context ends), the run in
    its thread stops at its next batch instead of going on to the end of its plan with the
    sandbox held (the next test on this server was then refused it)."""
    app = make_app(dsn=dsn)
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_benchmark(pilot, rows="200k", repeat="3")  # minutes of work
        await pilot.press("r")
        for _ in range(int(PATIENCE_S / 0.05)):
            await pilot.pause(0.05)
            if "rows" in _text(app, "#now") and sandbox_exists(target):
                break
        assert sandbox_exists(target), "the run never started"
    deadline = time.monotonic() + 15
    while sandbox_exists(target) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not sandbox_exists(target)


async def test_a_database_error_opens_a_dialog_and_the_app_keeps_running() -> None:
    app = make_app(dsn="postgresql://nobody:Secret99@127.0.0.1:1/none")
    async with app.run_test(size=(100, 30)) as pilot:
        await _to_benchmark(pilot)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "cannot connect" in app.screen.message
        assert "Secret99" not in app.screen.message
        await pilot.press("escape")
        assert isinstance(app.screen, BenchmarkScreen)
        assert app.screen.query_one("#plan").display, "the plan is back for another try"


@contextlib.asynccontextmanager
async def _profile_screen(
    profile: Profile, tmp_path: Path, dsn: str
) -> AsyncIterator[tuple[AdvisorApp, AppPilot, ProfileScreen, Path]]:
    """The app opened directly on `profile`, saved in tmp_path."""
    path = save_profile(profile, tmp_path / "nightly.toml")
    app = make_app(dsn=dsn, profile_path=str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        yield app, pilot, screen, path


async def test_a_profile_opens_directly_reruns_and_compares(
    target: Target, dsn: str, tmp_path: Path
) -> None:
    profile = Profile("nightly")
    profile.record(
        run_benchmark(
            target, BenchPlan(rows=300, repeat=1, strategies=["core_execute", "driver_copy"])
        )
    )
    async with _profile_screen(profile, tmp_path, dsn) as (app, pilot, screen, path):
        assert "profile 'nightly'" in _text(app, "#profile-head")
        assert screen.query_one("#results", DataTable).row_count == 2
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert screen.query("#tab-compare")
        chart = screen.query_one("#compare-chart", ComparisonChart)
        drawn = chart.render()
        assert isinstance(drawn, Text)
        text = drawn.plain  # what the widget shows, as text
        assert "░ saved" in text and "█ new" in text, text
        drawn_bars = comparison_bars(text)
        assert [label for label, _, _ in drawn_bars] == ["core_execute", "driver_copy"], text
        assert all(new > 0 and saved > 0 for _, new, saved in drawn_bars), text
        compare = screen.query_one("#compare-table", DataTable)
        assert compare.row_count == 2
        assert str(compare.get_row_at(0)[0]) == "core_execute"
        await pilot.press("u")
        await pilot.pause()
    assert len(load_file(path).history) == 2


async def test_a_rerun_that_looks_slower_is_measured_again_before_it_is_flagged(
    target: Target, dsn: str, tmp_path: Path
) -> None:
    plan = BenchPlan(rows=300, strategies=["core_execute", "driver_executemany", "driver_copy"])
    report = run_benchmark(target, plan)
    for saved in report.results:
        if saved.strategy == "driver_copy":  # "saved" 100 times faster than possible
            saved.runs_s = [s / 100 for s in saved.runs_s]
    profile = Profile("nightly", plan=plan)
    profile.record(report)
    async with _profile_screen(profile, tmp_path, dsn) as (app, pilot, screen, _):
        await pilot.press("r")
        deadline = time.monotonic() + PATIENCE_S
        while not screen.query("#tab-compare") and time.monotonic() < deadline:
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
        table = screen.query_one("#compare-table", DataTable)
        flags = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[-1]) for i in range(3)}
        assert re.fullmatch(r"\d+% slower \(again: 0\.\d\d×\)", flags["driver_copy"]), flags
        assert "machine: " in _text(app, "#compare-machine")
        assert (
            screen.new_report is not None
            and screen.new_report is screen.query_one(BenchPanel).report
        ), "u keeps the measurement the table compares: the first one"


async def test_opening_a_broken_profile_shows_the_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[profile]\nname = 1\n")
    app = make_app(profile_path=str(path))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "profile.name: expected a string" in app.screen.message


async def test_help_and_the_palette_list_the_screens_actions() -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await _answer(pilot, "objects", "200", "high", "hourly")
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        help_text = help_screen.query_one(Markdown).source
        assert help_text.startswith("## The recommendation")
        # keys as the footer shows them (^q), actions as the footer and the palette name them
        for key, action in (("b", "Benchmark"), ("s", "Save profile"), ("^q", "Quit")):
            assert f"| `{key}` | {action} |" in help_text, help_text
        await pilot.press("escape")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert isinstance(app.screen, RecommendationScreen), "the help closes"
        assert {"Benchmark", "Save profile", "Answers", "Help", "Quit"} <= set(titles)


@pytest.mark.parametrize("step", ["questionnaire", "recommendation", "benchmark"])
async def test_every_screen_fits_80_by_24(step: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        if step != "questionnaire":
            await _answer(pilot, "dicts", "2M", "medium", "daily")
        if step == "benchmark":
            await pilot.press("b")
            await pilot.pause()
            run = app.screen.query_one("#run", Button)
            assert run.region.bottom <= 23 and run.region.right <= 80, run.region
            strategies = app.screen.query_one("#strategies", CheckList)
            text = screen_text(app)
            hidden = [sid for sid in STRATEGY_IDS if f" {sid} " not in text]
            assert strategies.option_count == len(STRATEGY_IDS) and hidden == [], hidden
        visible = app.screen.query_one("Footer").region
        assert visible.y == 23, "the footer with the keys stays on screen"


async def test_a_choice_too_long_for_80_columns_wraps_beside_its_label() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _choose(pilot, "shape", "dicts")
        await pilot.press("2", "M", "enter")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "low " in line and "trusted" in line)
        start, rest = lines[first].index("trusted"), lines[first + 1]
        assert "trusted, clean rows; speed matters most (bulk loads, caches)" not in lines[first]
        assert rest[start:].startswith("caches)") and rest[:start].strip(" ▊") == "", rest


async def test_every_strategys_progress_label_is_whole_beside_its_bar() -> None:
    """The run's bars: each strategy's label as wide as the longest id and a space."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _answer(pilot, "dicts", "2M", "medium", "daily")
        await pilot.press("b")
        await pilot.pause()
        panel = app.screen.query_one(BenchPanel)
        for sid in STRATEGY_IDS:
            label = panel.query_one(f"#row-{sid} .bar-label", Label)
            width, padding = label.styles.width, label.styles.padding
            assert width is not None and width.unit is Unit.CELLS, width
            assert width.value - padding.left - padding.right > len(sid), sid


async def test_ctrl_o_lists_the_shipped_profiles_and_opens_one() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        options = app.screen.query_one("#profiles", OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(labels) >= 3 and any(label.startswith("nightly-etl") for label in labels)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        assert app.screen.profile.report is not None


async def test_the_card_estimates_from_a_calibration_when_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.advice.estimates import Measurement
    from advisor.profiles import calibration

    monkeypatch.setenv(calibration.DATA_DIR_ENV, str(tmp_path))
    points = tuple(
        Measurement(sid, rows, rows / 1e5) for sid in SYNC_IDS for rows in (1_000, 10_000)
    )
    taken = calibration.Calibration("2026-11-30T09:00:00+00:00", "here", "embedded PG", points)
    calibration.save(taken, "embedded")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _answer(pilot, "dicts", "2M", "medium", "daily")
        assert isinstance(app.screen, RecommendationScreen)
        assert app.screen.recommendation.estimate_source.startswith(
            "calibrated on this machine, 2026-11-30, on embedded PG"
        )
        assert "k Calibrate" in footer_text(app)
