"""A saved decision: its advice and measurements; re-run it and compare old with new."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from advisor.profiles.profile import Profile
from advisor.report.compare import COMPARISON_HEADERS, compare, comparison_cells
from advisor.results import BenchReport
from advisor.tui.widgets.bench_panel import BenchPanel
from advisor.tui.widgets.charts import ComparisonChart
from advisor.units import format_rate


class ProfileScreen(Screen[None]):
    HELP = (
        "## A saved profile\n\nThe answers, the advice and the last measurement of a decision "
        "profile. **r** re-runs its benchmark plan on the current server and compares saved "
        "and new rows/s (a strategy more than 10% slower is flagged); **u** writes the new "
        "measurement into this profile and its history; **s** saves it under another name."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rerun", "Re-run"),
        Binding("u", "update", "Update profile"),
        Binding("s", "save_as", "Save as…"),
        Binding("escape", "cancel_or_back", "Cancel / back"),
    ]

    def __init__(self, profile: Profile, path: Path) -> None:
        super().__init__()
        self.profile = profile
        self.path = path
        self.new_report: BenchReport | None = None

    def compose(self) -> ComposeResult:
        p = self.profile
        rec = p.recommendation
        lines = [f"profile {p.name!r} · {self.path} · created {p.created[:16].replace('T', ' ')}"]
        if rec is not None:
            why = rec.reasons[-1] if rec.reasons else ""
            lines.append(f"recommended {rec.strategy} ({rec.layer} layer): {why}")
        best = p.best()
        if best is not None:
            lines.append(f"best measured: {best.strategy} at {format_rate(best.rows_per_s)}")
        if p.history:
            trend = (
                " → ".join(format_rate(h.rows_per_s.get(best.strategy, 0)) for h in p.history)
                if best
                else ""
            )
            lines.append(
                f"{len(p.history)} measurement(s) in the history{': ' + trend if trend else ''}"
            )
        yield Header()
        yield Static("\n".join(lines), id="profile-head", markup=False)
        yield BenchPanel(id="panel")
        yield Footer()

    def on_mount(self) -> None:
        panel = self.query_one(BenchPanel)
        if self.profile.report is not None:
            panel.show_report(self.profile.report)
        else:
            panel.query_one("#now", Static).update("not measured yet: press r to run its plan")

    def action_rerun(self) -> None:
        panel = self.query_one(BenchPanel)
        if self.profile.plan is None:
            self.notify("this profile has no benchmark plan", severity="warning")
            return
        panel.start(self.profile.plan)  # does nothing while a run is going

    def on_bench_panel_finished(self, message: BenchPanel.Finished) -> None:
        self.new_report = message.report
        if self.profile.report is None:
            self.notify("first measurement: press u to keep it in the profile", title="Re-run done")
            return
        comparisons = compare(self.profile.report, message.report)
        tabs = self.query_one("#bench-tabs", TabbedContent)
        if not self.query("#tab-compare"):
            tabs.add_pane(
                TabPane(
                    "Saved vs new",
                    VerticalScroll(
                        ComparisonChart(id="compare-chart"),
                        DataTable(id="compare-table", cursor_type="row"),
                    ),
                    id="tab-compare",
                )
            )
        self.call_after_refresh(self._show_comparison, comparisons)
        slower = [c.strategy for c in comparisons if c.slower]
        self.notify(
            f"more than 10% slower: {', '.join(slower)}"
            if slower
            else "no strategy is more than 10% slower",
            title="Saved vs new",
            severity="warning" if slower else "information",
        )

    def _show_comparison(self, comparisons: list[object]) -> None:
        from advisor.report.compare import Comparison

        rows = [c for c in comparisons if isinstance(c, Comparison)]
        self.query_one("#compare-chart", ComparisonChart).show(rows)
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*COMPARISON_HEADERS)
        for c in rows:
            table.add_row(*comparison_cells(c))
        self.query_one("#bench-tabs", TabbedContent).active = "tab-compare"

    def action_update(self) -> None:
        from advisor.tui.widgets.saving import save_with_feedback

        if self.new_report is None:
            self.notify("re-run first (r), then update", severity="warning")
            return
        self.profile.record(self.new_report)
        self.new_report = None
        save_with_feedback(self, self.profile, self.path)

    def action_save_as(self) -> None:
        from advisor.tui.dialogs import SaveDialog
        from advisor.tui.widgets.saving import save_with_feedback

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.profile.name = path.stem
                if save_with_feedback(self, self.profile, path):
                    self.path = path

        self.app.push_screen(SaveDialog(self.path.with_name(f"{self.path.stem}-copy.toml")), chosen)

    def action_cancel_or_back(self) -> None:
        panel = self.query_one(BenchPanel)
        if panel.running:
            panel.cancel()
        else:
            self.app.pop_screen()
