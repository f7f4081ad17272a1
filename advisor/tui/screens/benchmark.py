"""Choose what to measure, watch it run, keep the result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from advisor.advice.recommendation import Recommendation
from advisor.errors import InputError
from advisor.results import BenchPlan, BenchReport
from advisor.strategy_info import ALL_IDS, STRATEGIES, StrategyInfo
from advisor.tui.widgets.bench_panel import TAB_KEYS, BenchPanel
from advisor.tui.widgets.checks import CheckList
from advisor.tui.widgets.validators import Raises
from advisor.units import parse_count, parse_share

if TYPE_CHECKING:
    from advisor.advice.verdict import Verdict
    from advisor.tui.app import AdvisorApp


def _count_text(rows: int) -> str:
    """100000 as `100k`, as people type it (and parse_count reads it back exactly)."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if rows % size == 0:
            return f"{rows // size}{suffix}"
    return str(rows)


def _label(info: StrategyInfo) -> str:
    missing = " (n/a: not installed)" if info.missing_module() else ""
    return f"{info.id:<23} {info.layer}{missing}"


class BenchmarkScreen(Screen[None]):
    HELP = (
        "## The live benchmark\n\nPick the strategies (the recommendation and its "
        "alternatives are preselected), the rows per run and the repeats, then **r** runs "
        "them on a real PostgreSQL: the embedded one unless a DSN was given. Each strategy "
        "gets its native input built while the clock is paused; every run is verified "
        "(row count and content checksum); the table shows medians with min–max, and on a "
        "narrow terminal leaves out the layer, the spread and memory first (never "
        "`verified`). **1** and **2** show the chart and the results; after a run from the "
        "advice, **v** shows the advice recomputed from the measurement, with its verdict. "
        "**Esc** cancels a run: "
        "it stops after the current batch and the sandbox schema is dropped."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run"),
        Binding("e", "edit", "Edit plan"),
        Binding("s", "save", "Save profile"),
        Binding("v", "verdict", "Measured advice"),
        Binding("escape", "cancel", "Cancel run"),
        Binding("escape", "back", "Back"),
        *TAB_KEYS,
    ]

    def __init__(self, plan: BenchPlan, recommendation: Recommendation | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.recommendation = recommendation
        # The advice recomputed from the last run, and its verdict (set by _judge).
        self.measured: tuple[Recommendation, Verdict] | None = None

    def compose(self) -> ComposeResult:
        target = cast("AdvisorApp", self.app).target_label()
        yield Header()
        with Horizontal(id="plan"):
            yield CheckList(
                [(sid, _label(info)) for sid, info in STRATEGIES.items()],
                self.plan.strategies,
                id="strategies",
            )
            with Vertical(id="plan-options"):
                with Horizontal(classes="field compact"):
                    yield Label("rows per run", classes="field-label")
                    yield Input(
                        _count_text(self.plan.rows),
                        id="rows",
                        validators=[Raises(parse_count)],
                        validate_on=["changed"],
                        compact=True,
                    )
                with Horizontal(classes="field compact"):
                    yield Label("timed runs  ", classes="field-label")
                    yield Input(str(self.plan.repeat), id="repeat", type="integer", compact=True)
                semantics = self.plan.semantics
                if semantics.upsert:  # the workload's answer; the share is the bench's own
                    with Horizontal(classes="field compact"):
                        yield Label("conflicts   ", classes="field-label")
                        yield Input(
                            f"{semantics.conflicts:g}",
                            id="conflicts",
                            validators=[Raises(parse_share)],
                            validate_on=["changed"],
                            compact=True,
                        )
                if not semantics.plain:
                    yield Static(f"measuring {semantics.describe()}", id="semantics", markup=False)
                yield Static("", id="plan-error", classes="error-text")
                yield Static(f"target: {target}", id="target", markup=False)
                yield Button("Run ▸", variant="primary", id="run", compact=True)
        yield BenchPanel(id="panel")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#panel").display = False
        self.query_one("#strategies").focus()

    def _plan(self) -> BenchPlan:
        chosen = self.query_one("#strategies", CheckList).selected
        if not chosen:
            raise InputError("choose at least one strategy")
        try:
            repeat = int(self.query_one("#repeat", Input).value)
        except ValueError:  # also a number too long to convert
            raise InputError("timed runs must be a whole number of at least 1") from None
        semantics = self.plan.semantics
        if semantics.upsert:  # the share of conflicts is the bench's own; the rest is asked
            share = parse_share(self.query_one("#conflicts", Input).value)
            semantics = replace(semantics, conflicts=share)
        # The rest of the plan (distance, table, the recommended strategy) is the workload's,
        # as the card made it.
        plan = replace(
            self.plan,
            semantics=semantics,
            rows=parse_count(self.query_one("#rows", Input).value, what="rows"),
            repeat=repeat,
            strategies=[sid for sid in ALL_IDS if sid in chosen],
        )
        plan.check()
        return plan

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what can be done now: the footer and the palette follow this."""
        panels = self.query(BenchPanel)
        if not panels:  # still mounting
            return True
        panel = panels.first()
        running = panel.running
        if action in ("run", "back"):
            return not running
        if action == "edit":
            return not running and not self.query_one("#plan").display
        if action == "save":
            return not running and panel.finished is not None
        if action == "verdict":
            return not running and self.measured is not None
        if action == "cancel":
            return running
        if action == "show_tab":
            return bool(panel.display)
        return True

    def action_run(self) -> None:
        panel = self.query_one(BenchPanel)
        if panel.running:
            return
        try:
            self.plan = self._plan()
        except InputError as exc:
            self.query_one("#plan-error", Static).update(str(exc))
            return
        self.query_one("#plan-error", Static).update("")
        self.query_one("#plan").display = False
        panel.display = True
        panel.start(self.plan)
        # Out of the hidden plan, so that no input takes the keys: the tabs take the arrows.
        panel.query_one("#bench-tabs Tabs").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run":
            self.action_run()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def on_input_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        message = "" if result is None or result.is_valid else result.failure_descriptions[0]
        self.query_one("#plan-error", Static).update(message)

    def action_edit(self) -> None:
        self.query_one("#plan").display = True
        self.query_one("#strategies").focus()
        self.refresh_bindings()

    def action_cancel(self) -> None:
        self.query_one(BenchPanel).cancel()

    def action_back(self) -> None:
        """Back to the plan from the results, and from the plan to the advice."""
        if self.query_one("#plan").display:
            self.app.pop_screen()
        else:
            self.action_edit()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(BenchPanel).show_tab(tab)

    def on_bench_panel_finished(self, message: BenchPanel.Finished) -> None:
        self.notify(
            "every run verified"
            if all(r.verified for r in message.report.results if not r.not_run)
            else "some runs were NOT verified: see the results",
            title="Benchmark done",
        )
        self._refresh_target()
        self.measured = None
        if self.recommendation is not None:
            self._judge(self.recommendation, message.report)

    @work(thread=True, exclusive=True, exit_on_error=False, group="verdict")
    def _judge(self, rec: Recommendation, report: BenchReport) -> None:
        """The advice recomputed from the measurement, with its verdict (a user's table is
        read again from the server, for the snippet)."""
        from advisor.advice.verdict import judge
        from advisor.snippets.table import STANDARD_TABLE

        if not any(r.verified for r in report.results):
            return  # nothing verified: nothing to judge by (the panel says why)
        table = STANDARD_TABLE
        if report.plan.table is not None:
            from advisor.bench.introspect import snippet_table

            table = snippet_table(cast("AdvisorApp", self.app).target(), report.plan.table)
        calibrated = cast("AdvisorApp", self.app).calibration()  # fills in the others
        judged = judge(rec, report, table, calibrated.fill_in if calibrated else None)
        if judged is not None:
            self.app.call_from_thread(self._judged, *judged)

    def _judged(self, after: Recommendation, found: Verdict) -> None:
        self.measured = (after, found)
        self.notify(f"{found.text} (v shows the advice recomputed from it)", title="Verdict")
        self.refresh_bindings()

    def action_verdict(self) -> None:
        if self.measured is not None:
            cast("AdvisorApp", self.app).show_advice(*self.measured)

    def on_bench_panel_stopped(self, message: BenchPanel.Stopped) -> None:
        self.query_one("#plan").display = True  # the panel told the user why; try again
        self._refresh_target()
        self.refresh_bindings()

    def _refresh_target(self) -> None:
        target = cast("AdvisorApp", self.app).target_label()
        self.query_one("#target", Static).update(f"target: {target}")

    def action_save(self) -> None:
        from advisor.profiles.profile import Profile, default_directory
        from advisor.tui.dialogs import SaveDialog
        from advisor.tui.widgets.saving import save_with_feedback

        report = self.query_one(BenchPanel).finished
        if report is None:
            return
        rec = self.recommendation

        def chosen(path: Path | None) -> None:
            if path is not None:
                profile = Profile(
                    path.stem, workload=rec.workload if rec else None, recommendation=rec
                )
                profile.record(report)
                save_with_feedback(self, profile, path)

        folder = default_directory()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{rec.workload.shape}-{rec.strategy}" if rec else "benchmark"
        self.app.push_screen(
            SaveDialog(folder / f"{name}.toml", "Save the measurement as a profile", ".toml"),
            chosen,
        )
