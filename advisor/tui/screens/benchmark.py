"""Choose what to measure, watch it run, keep the result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from advisor.advice.recommendation import Recommendation
from advisor.errors import InputError
from advisor.results import BenchPlan
from advisor.strategy_info import STRATEGIES
from advisor.tui.widgets.bench_panel import BenchPanel
from advisor.tui.widgets.validators import Raises
from advisor.units import parse_count, parse_share

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp


def _count_text(rows: int) -> str:
    """100000 as `100k`, as people type it (and parse_count reads it back exactly)."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if rows % size == 0:
            return f"{rows // size}{suffix}"
    return str(rows)


class BenchmarkScreen(Screen[None]):
    HELP = (
        "## The live benchmark\n\nPick the strategies (the recommendation and its "
        "alternatives are preselected), the rows per run and the repeats, then **r** runs "
        "them on a real PostgreSQL: the embedded one unless a DSN was given. Each strategy "
        "gets its native input built while the clock is paused; every run is verified "
        "(row count and content checksum); the table shows medians with min–max. **Esc** "
        "cancels a run: it stops after the current batch and the sandbox schema is dropped."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run"),
        Binding("escape", "cancel_or_back", "Cancel / back"),
        Binding("e", "edit", "Edit plan"),
        Binding("s", "save", "Save profile"),
    ]

    def __init__(self, plan: BenchPlan, recommendation: Recommendation | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.recommendation = recommendation

    def compose(self) -> ComposeResult:
        target = cast("AdvisorApp", self.app).target_label()
        yield Header()
        with Horizontal(id="plan"):
            yield SelectionList[str](
                *(
                    Selection(f"{sid:<22} {info.layer}", sid, sid in self.plan.strategies)
                    for sid, info in STRATEGIES.items()
                ),
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
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#panel").display = False
        self.query_one("#strategies").focus()

    def _plan(self) -> BenchPlan:
        chosen = self.query_one("#strategies", SelectionList).selected
        if not chosen:
            raise InputError("choose at least one strategy")
        repeat = self.query_one("#repeat", Input).value.strip()
        if not repeat.isdigit() or int(repeat) < 1:
            raise InputError("timed runs must be a whole number of at least 1")
        semantics = self.plan.semantics
        if semantics.upsert:
            share = parse_share(self.query_one("#conflicts", Input).value)
            semantics = replace(semantics, conflicts=share)
        plan = BenchPlan(
            semantics=semantics,
            rows=parse_count(self.query_one("#rows", Input).value, what="rows"),
            repeat=int(repeat),
            warmup=self.plan.warmup,
            data=self.plan.data,
            table=self.plan.table,
            seed=self.plan.seed,
        )
        plan.strategies = [sid for sid in plan.strategies if sid in chosen]
        return plan

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

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run":
            self.action_run()

    def on_input_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        message = "" if result is None or result.is_valid else result.failure_descriptions[0]
        self.query_one("#plan-error", Static).update(message)

    def action_edit(self) -> None:
        if not self.query_one(BenchPanel).running:
            self.query_one("#plan").display = True
            self.query_one("#strategies").focus()

    def action_cancel_or_back(self) -> None:
        panel = self.query_one(BenchPanel)
        if panel.running:
            panel.cancel()
        elif not self.query_one("#plan").display:
            self.action_edit()
        else:
            self.app.pop_screen()

    def on_bench_panel_finished(self, message: BenchPanel.Finished) -> None:
        self.notify(
            "every run verified"
            if all(r.verified or r.na for r in message.report.results)
            else "some runs were NOT verified: see the results",
            title="Benchmark done",
        )
        self._refresh_target()

    def on_bench_panel_stopped(self, message: BenchPanel.Stopped) -> None:
        self.query_one("#plan").display = True  # the panel told the user why; try again
        self._refresh_target()

    def _refresh_target(self) -> None:
        target = cast("AdvisorApp", self.app).target_label()
        self.query_one("#target", Static).update(f"target: {target}")

    def action_save(self) -> None:
        from advisor.profiles.profile import Profile, default_directory
        from advisor.tui.dialogs import SaveDialog
        from advisor.tui.widgets.saving import save_with_feedback

        report = self.query_one(BenchPanel).report
        if report is None or self.query_one(BenchPanel).running:
            self.notify("run the benchmark first", severity="warning")
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
        self.app.push_screen(SaveDialog(folder / f"{name}.toml"), chosen)
