"""What the screen shows, read back from the rendered text and styles: NO_COLOR, checkbox
states without colour, and a results table that fits 80 and 100 columns."""

from typing import Any

import pytest
from rich.segment import Segment
from textual.pilot import Pilot

from advisor.advice.estimates import Measurement
from advisor.advice.rules import recommend
from advisor.advice.verdict import verdict
from advisor.report.bench import HEADERS, table_rows
from advisor.tui.app import AdvisorApp, make_app
from advisor.tui.screens.benchmark import BenchmarkScreen
from advisor.tui.screens.recommendation import RecommendationScreen
from advisor.tui.widgets.results import fitting_columns
from advisor.workload import Workload
from tests.tui_util import replaying, screen_text, shipped, steady

SCROLLBAR = " ▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▔▕"  # what may follow the text on a line: padding, the scrollbar
NIGHTLY = {"shape": "dicts", "rows": "2M", "correctness": "medium", "frequency": "daily"}


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> None:
    steady(monkeypatch)


def _segments(app: AdvisorApp) -> list[Segment]:
    return [s for strip in app.screen._compositor.render_strips() for s in strip]


def _styled(app: AdvisorApp, text: str) -> Any:
    """The style of the first segment holding `text`."""
    return next(s.style for s in _segments(app) if text in s.text)


async def _measured(pilot: Pilot[None]) -> None:
    """The benchmark screen after a (replayed) run, on its results tab."""
    await pilot.app.push_screen(RecommendationScreen(recommend(Workload.from_dict(NIGHTLY))))
    await pilot.press("b", "r")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("2")
    await pilot.pause()


@pytest.mark.parametrize("step", ["questionnaire", "card", "snippet", "results"])
async def test_no_color_drops_every_colour_and_marks_states_with_styles(
    step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    report = shipped("nightly-etl").report
    assert report is not None
    replaying(monkeypatch, report)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        if step in ("card", "snippet"):
            await app.push_screen(RecommendationScreen(recommend(Workload.from_dict(NIGHTLY))))
            await pilot.press("1" if step == "card" else "2")
            await pilot.pause()
        elif step == "results":
            await _measured(pilot)
        else:
            await pilot.pause()  # the footer's keys come with the frame after the first
        colours = {
            str(c)
            for s in _segments(app)
            if s.style
            for c in (s.style.color, s.style.bgcolor)
            if c is not None and not c.is_default
        }
        assert not colours, "NO_COLOR: the terminal's own colours only"
        text = screen_text(app)
        assert "Help" in text.splitlines()[-1]
        if step == "questionnaire":
            highlighted = _styled(app, "ORM objects")
            assert highlighted.bold and highlighted.underline, "the highlight, without colour"
            assert not _styled(app, "dicts ").underline
        elif step == "results":
            assert "verified" in text and "yes" in text
            cursor = _styled(app, "driver_copy_binary ")
            assert cursor.reverse, "the table's cursor row"
        if step != "questionnaire":
            active, other = ("1 ", "2 ") if step == "card" else ("2 ", "1 ")
            assert _styled(app, active).underline and not _styled(app, other).underline


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_verdict_wraps_under_its_own_indent(size: tuple[int, int]) -> None:
    dicts = Workload.from_dict(
        {"shape": "dicts", "rows": "20k", "correctness": "medium", "frequency": "daily"}
    )
    before = recommend(dicts)
    after = recommend(dicts, [Measurement("core_execute", 20_000, 0.558)], origin="measured now")
    found = verdict(before, after, 20_000)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await app.push_screen(RecommendationScreen(after, found))
        await pilot.pause()
        lines = screen_text(app).splitlines()
        title = next(i for i, line in enumerate(lines) if "Verdict: confirmed" in line)
        margin = lines[title].index("Verdict")
        text = []
        for line in lines[title + 1 :]:
            seen = line[margin:].rstrip(SCROLLBAR)
            if not seen:
                break
            text.append(seen)
        assert len(text) >= 2, "long enough to wrap"
        assert all(t.startswith("  ") and t[2] != " " for t in text), text
        assert " ".join(t.strip() for t in text) == found.text


async def test_strategy_checkboxes_show_their_state_as_text() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(RecommendationScreen(recommend(Workload.from_dict(NIGHTLY))))
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BenchmarkScreen)
        text = screen_text(app)
        assert "[x] driver_copy " in text, "the recommendation is preselected"
        assert "[ ] orm_add_all" in text, "too slow to overturn it: not preselected"
        assert "[ ] orm_bulk_save_objects" in text
        await pilot.press("down", "space")  # the second line: orm_bulk_save_objects
        await pilot.pause()
        assert "[x] orm_bulk_save_objects" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "[ ] orm_bulk_save_objects" in screen_text(app)
        await pilot.press("up", "enter")
        assert "[x] orm_add_all" in screen_text(app)
        assert "orm_add_all" in app.screen._plan().strategies


async def test_the_questionnaire_tickboxes_show_their_state_as_text() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter", "5", "0", "0", "enter", "enter", "enter")
        assert "[ ] Do you need the generated ids back?" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert "[x] Do you need the generated ids back?" in screen_text(app)
        assert "[ ] Must rows that already exist be updated" in screen_text(app)


@pytest.mark.parametrize(
    ("size", "left_out"), [((80, 24), {"layer", "min–max"}), ((100, 30), set())]
)
async def test_the_results_fit_and_verified_is_always_there(
    size: tuple[int, int], left_out: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = shipped("nightly-etl").report
    assert report is not None
    replaying(monkeypatch, report)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _measured(pilot)
        table = app.screen.query_one("#results")
        assert table.region.right <= size[0] and table.virtual_size.width <= table.size.width
        text = screen_text(app)
        header = "\n".join(line for line in text.splitlines() if "strategy" in line)
        for name in HEADERS:
            shown = name.rsplit(" ", 1)[-1] in header
            assert shown != (name in left_out), (name, header)
        assert text.count(" yes") == len(report.results)


def test_columns_are_left_out_in_order_and_verified_never() -> None:
    report = shipped("nightly-etl").report
    assert report is not None
    rows = table_rows(report)
    named = [
        [HEADERS[i] for i in fitting_columns(rows, width)] for width in (200, 97, 80, 60, 40, 1)
    ]
    assert named[0] == list(HEADERS)
    assert all("verified" in columns and "strategy" in columns for columns in named)
    assert "layer" not in named[2] and "min–max" not in named[2]
    assert named[-1] == ["strategy", "median", "rows/s", "verified"]


async def test_the_chart_is_readable_in_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chart's labels, frame and ticks in the terminal's own colours: under the app's ANSI
    theme, textual-plotext's own theme drew them black on black."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    report = shipped("nightly-etl").report
    assert report is not None
    replaying(monkeypatch, report)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _measured(pilot)
        await pilot.press("1")
        await pilot.pause()
        label = next(s for s in _segments(app) if "driver_copy_binary┤" in s.text)
        assert label.style is not None
        colour, background = label.style.color, label.style.bgcolor
        assert colour is None or colour.is_default, colour
        assert background is None or background.is_default, background
