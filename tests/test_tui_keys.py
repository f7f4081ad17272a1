"""The app's keys, driven through Pilot: the tabs, the snippet's copy and write, what the
footer offers while a run goes, the questionnaire's answers, a profile's header after an
update. Benchmarks are replayed from a shipped profile (tui_util): no database."""

import os
import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Markdown, OptionList, ProgressBar, TabbedContent

from advisor.advice.rules import recommend
from advisor.profiles.profile import load_file, save_profile
from advisor.tui.app import AdvisorApp, make_app
from advisor.tui.dialogs import ConfirmDialog, HelpScreen, SaveDialog
from advisor.tui.screens.benchmark import BenchmarkScreen
from advisor.tui.screens.profile import ProfileScreen
from advisor.tui.screens.questionnaire import QuestionnaireScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.widgets.bench_panel import BenchPanel
from advisor.workload import Workload
from tests.tui_util import footer_text, replaying, screen_text, shipped, slower, steady

NIGHTLY = {"shape": "dicts", "rows": "2M", "correctness": "medium", "frequency": "daily"}


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> None:
    steady(monkeypatch)


async def _card(pilot: Pilot[None], **answers: object) -> RecommendationScreen:
    screen = RecommendationScreen(recommend(Workload.from_dict(NIGHTLY | answers)))
    await pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


def _active(app: AdvisorApp, tabs: str) -> str:
    return app.screen.query_one(tabs, TabbedContent).active


async def test_the_snippet_has_a_tab_of_its_own_and_keeps_its_indentation() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _card(pilot)
        assert "1 Advice" in screen_text(app) and "2 Snippet" in screen_text(app)
        await pilot.press("2")
        await pilot.pause()
        assert _active(app, "#rec-tabs") == "tab-code"
        lines = screen_text(app).splitlines()
        signature = "def insert_rows(conn: psycopg.Connection, rows: list[dict[str, Any]]) -> None:"
        assert signature in screen.recommendation.snippet
        await pilot.press("pagedown")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any(line.startswith(signature) for line in lines), "79 columns fit, unwrapped"
        assert any(line.startswith("    get = itemgetter(*COLUMNS)") for line in lines)
        assert not any(line.startswith("None:") for line in lines)
        await pilot.press("1")
        assert _active(app, "#rec-tabs") == "tab-card"


async def test_c_copies_the_snippet_to_the_clipboard() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _card(pilot)
        await pilot.press("c")
        assert app.clipboard == screen.recommendation.snippet
        assert any("clipboard" in n.message for n in app._notifications)


async def _write(pilot: Pilot[None], path: Path) -> None:
    await pilot.press("w")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, SaveDialog)
    dialog.query_one("#path", Input).value = str(path)
    await pilot.click("#save")
    await pilot.pause()


async def test_w_writes_the_snippet_to_a_file_and_asks_before_replacing_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "insert.py"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _card(pilot)
        await _write(pilot, tmp_path / "insert.txt")
        assert "ending in .py" in screen_text(app), "code goes to a .py file"
        await pilot.press("escape")
        await _write(pilot, path)
        assert path.read_text() == screen.recommendation.snippet.lstrip("\n")
        compile(path.read_text(), str(path), "exec")

        path.write_text("# mine\n")
        await _write(pilot, path)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog), "a no goes back to the name"
        assert path.read_text() == "# mine\n"
        await pilot.click("#save")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, RecommendationScreen)
        assert path.read_text() == screen.recommendation.snippet.lstrip("\n")


async def _wait_for(pilot: Pilot[None], text: str) -> None:
    for _ in range(200):
        if text in screen_text(pilot.app):
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{text!r} never showed:\n{screen_text(pilot.app)}")


async def test_during_a_run_the_footer_offers_only_cancel_and_the_memory_pass_pulses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = shipped("nightly-etl").report
    assert report is not None
    hold = threading.Event()
    replaying(monkeypatch, report, hold)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _card(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BenchmarkScreen)
        assert "Save profile" not in footer_text(app), "nothing measured yet"
        await pilot.press("r")
        await _wait_for(pilot, "memory pass")
        footer = footer_text(app)
        assert "Cancel run" in footer
        for idle in ("Run", "Edit plan", "Save profile", "Back"):
            assert f" {idle} " not in f" {footer} ", footer
        first = report.results[0].strategy
        bar = app.screen.query_one(f"#bar-{first}", ProgressBar)
        assert bar.total is None, "a pass that reports no rows pulses instead of sitting at 0%"
        assert f"{first}: memory pass" in screen_text(app)
        assert "0 of" not in screen_text(app)

        hold.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = footer_text(app)
        for offered in ("r Run", "e Edit plan", "s Save profile", "esc Back"):
            assert offered in footer, footer
        assert "Cancel run" not in footer
        await pilot.press("2")
        assert _active(app, "#bench-tabs") == "tab-results"
        await pilot.press("1")
        assert _active(app, "#bench-tabs") == "tab-chart"


async def test_escape_cancels_a_run_and_then_goes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    report = shipped("nightly-etl").report
    assert report is not None
    replaying(monkeypatch, report, threading.Event())  # held until cancelled
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _card(pilot)
        await pilot.press("b", "r")
        await _wait_for(pilot, "memory pass")
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(BenchPanel)
        assert not panel.running and panel.finished is None
        assert "cancelled" in screen_text(app)
        assert "Save profile" not in footer_text(app), "a cancelled run is not a measurement"
        assert "esc Back" in footer_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, RecommendationScreen)


async def test_the_profile_header_follows_an_update(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = shipped("web-app-orders")
    assert profile.report is not None
    path = save_profile(profile, tmp_path / "orders.toml")
    replaying(monkeypatch, slower(profile.report, "orm_add_all", 4.0))
    app = make_app(profile_path=str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
        head = screen_text(app)
        assert "answers:  objects, 200 rows, correctness high, hourly" in head
        assert "2 measurements" in head and "orm_add_all: 38k → 32.2k rows/s" in head
        assert "u Update profile" not in footer_text(app), "nothing new to keep yet"
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _active(app, "#bench-tabs") == "tab-compare"
        await pilot.press("1")
        assert _active(app, "#bench-tabs") == "tab-chart"
        await pilot.press("3")
        assert _active(app, "#bench-tabs") == "tab-compare"
        await pilot.press("u")
        await pilot.pause()
        head = screen_text(app)
        assert "3 measurements" in head and "38k → 32.2k → 8.06k rows/s" in head
        assert "orm_add_all 8.06k rows/s — recommended, fastest that fits" in head
    assert len(load_file(path).history) == 3
    assert os.stat(path).st_mode & 0o777 == 0o644, "as the shipped profiles"


async def test_the_rows_have_no_default_and_errors_name_answers_in_words() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, QuestionnaireScreen)
        await pilot.press("down", "enter")
        rows = screen.query_one("#answer-rows", Input)
        assert rows.placeholder == "", "a dim 2M in the field would read as a default"
        await pilot.press("enter")
        assert screen.step == 1 and "there is no default" in screen_text(app)
        await pilot.press("5", "0", "0", "enter", "enter", "enter")
        assert screen.step == len(screen.answers) == 4
        budget = screen.query_one("#answer-budget_s", Input)
        assert budget.placeholder == "no limit", "what an empty field means"
        budget.focus()
        await pilot.press("a", "b", "c")
        await pilot.pause()
        assert "the time budget must be a number, not 'abc'" in screen_text(app)
        assert "budget_s" not in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace", "ctrl+n")
        await pilot.pause()
        card = app.screen  # a name of its own: mypy would keep app.screen narrowed past the key
        assert isinstance(card, RecommendationScreen)
        await pilot.press("escape")
        assert screen.step == 4 and app.screen is screen, "back where Recommend was pressed"


async def test_help_and_the_palette_name_the_keys_as_the_footer_does() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _card(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "Help" in commands
        assert commands["Answers"] == "key: esc" and commands["Snippet tab"] == "key: 2"
        await pilot.press("b")
        await pilot.pause()
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "Run" in commands and "Save profile" not in commands, "only what can be done"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one(Markdown).source
        for row in ("| `1` | Chart tab |", "| `2` | Results tab |", "| `esc` | Cancel run |"):
            assert row in body
        assert "escape" not in body


async def test_the_first_step_offers_no_back() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Back" not in footer_text(app)
        await pilot.press("enter")
        assert "esc Back" in footer_text(app)
        await pilot.press("escape")
        assert app.screen.query_one("#answer-shape", OptionList).has_focus
