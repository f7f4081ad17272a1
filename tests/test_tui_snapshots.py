"""Snapshots of the main screens at 100x30 and 80x24, and one with NO_COLOR, kept as SVG
under tests/__snapshots__/. Measurements are replayed from a shipped profile, so the figures
never move. After a deliberate change, `pytest tests/test_tui_snapshots.py
--snapshot-update` rewrites them: look at the report it prints before committing."""

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from advisor.advice.rules import recommend
from advisor.tui.app import make_app
from advisor.tui.screens.profile import ProfileScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.workload import Workload
from tests.tui_util import replaying, shipped, slower, steady

Snap = Callable[..., bool]
SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
NIGHTLY = {"shape": "dicts", "rows": "2M", "correctness": "medium", "frequency": "daily"}


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> None:
    steady(monkeypatch)
    report = shipped("nightly-etl").report
    assert report is not None
    replaying(monkeypatch, report)


async def _card(pilot: Pilot[None]) -> None:
    await pilot.app.push_screen(RecommendationScreen(recommend(Workload.from_dict(NIGHTLY))))
    await pilot.pause()


async def _results(pilot: Pilot[None]) -> None:
    await _card(pilot)
    await pilot.press("b", "r")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("2")
    pilot.app.clear_notifications()


@SIZES
def test_questionnaire(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size)


@SIZES
def test_card_snippet_tab(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_card, press=["2"])


@SIZES
def test_benchmark_plan(snap_compare: Snap, size: tuple[int, int]) -> None:
    """The twenty strategies, the workload's plan ticked: every one on screen at 80x24."""
    assert snap_compare(make_app(), terminal_size=size, run_before=_card, press=["b"])


@SIZES
def test_benchmark_results(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_results)


@SIZES
def test_profile_comparison(snap_compare: Snap, size: tuple[int, int]) -> None:
    async def compare(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ProfileScreen) and screen.profile.report is not None
        await screen.show_comparison(slower(screen.profile.report, "driver_copy", 1.3))
        await pilot.pause()
        pilot.app.clear_notifications()

    app = make_app(profile_path="profiles/nightly-etl.toml")
    assert snap_compare(app, terminal_size=size, run_before=compare)


@SIZES
def test_help(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_card, press=["question_mark"])


def test_benchmark_results_no_color(snap_compare: Snap, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_results)
