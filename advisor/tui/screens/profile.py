"""A saved decision: its advice and measurements; re-run it and compare old with new."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from advisor.profiles.profile import Profile
from advisor.profiles.summary import measured_line
from advisor.report.card import workload_line
from advisor.report.compare import compare, comparison_table, confirm, machine, machine_note
from advisor.results import BenchReport
from advisor.tui.widgets.bench_panel import TAB_KEYS, BenchPanel
from advisor.tui.widgets.charts import ComparisonChart
from advisor.units import counted, format_count


def _aligned(cells: tuple[str, ...]) -> list[Text]:
    """Figures to the right, as in the results table: rows/s saved, new, and their ratio."""
    last = len(cells) - 1
    return [Text(v, justify="right" if 0 < i < last else "left") for i, v in enumerate(cells)]


class ProfileScreen(Screen[None]):
    HELP = (
        "## A saved profile\n\nThe answers, the advice and the last measurement of a decision "
        "profile. Only strategies that fit the answers count as the fastest: a high "
        "correctness keeps the ORM, binary COPY is for correctness low. **r** re-runs its "
        "benchmark plan on the current server and compares saved and new rows/s in a third "
        "tab (a strategy more than 10% slower, every run apart, is flagged, judged against the "
        "machine's own drift, the median new/saved of all it measured, and measured again before "
        "it is called slower); **u** "
        "writes the new measurement into this profile and its history; **s** saves it under "
        "another name. **1**, **2** and **3** show the chart, the results and the comparison."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rerun", "Re-run"),
        Binding("u", "update", "Update profile"),
        Binding("s", "save_as", "Save as…"),
        Binding("escape", "cancel", "Cancel run"),
        Binding("escape", "back", "Back"),
        *TAB_KEYS,
        Binding("3", "show_tab('tab-compare')", "Saved vs new tab", show=False),
    ]

    def __init__(self, profile: Profile, path: Path) -> None:
        super().__init__()
        self.profile = profile
        self.path = path
        self.new_report: BenchReport | None = None
        self._first: BenchReport | None = None  # a re-run being measured again to confirm

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._head(), id="profile-head", markup=False)  # a line each, cut to fit
        yield BenchPanel(id="panel")
        yield Footer(compact=True, show_command_palette=False)

    def _head(self) -> str:
        p = self.profile
        rec = p.recommendation
        lines = [f"profile {p.name!r} · {self.path} · created {p.created[:16].replace('T', ' ')}"]
        if p.workload is not None:
            lines.append(f"answers:  {workload_line(p.workload)}")
        if rec is not None:
            why = rec.reasons[-1] if rec.reasons else ""
            lines.append(f"advice:   {rec.strategy} ({rec.layer} layer): {why}")
        measured = measured_line(p)
        if measured is not None:
            lines.append(f"speed:    {measured}")
        followed = rec.strategy if rec else getattr(p.best(), "strategy", None)
        if p.history and followed:
            trend = " → ".join(
                format_count(h.rows_per_s[followed]) if followed in h.rows_per_s else "—"
                for h in p.history
            )
            runs = counted(len(p.history), "measurement")
            lines.append(f"history:  {runs}, {followed}: {trend} rows/s")
        return "\n".join(lines)

    def _refresh_head(self) -> None:
        self.query_one("#profile-head", Static).update(self._head())

    def on_mount(self) -> None:
        panel = self.query_one(BenchPanel)
        if self.profile.report is not None:
            panel.show_report(self.profile.report)
        else:
            panel.query_one("#now", Static).update("not measured yet: press r to run its plan")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what can be done now: the footer and the palette follow this."""
        running = any(panel.running for panel in self.query(BenchPanel))  # none yet: mounting
        if action in ("rerun", "save_as", "back"):
            return not running and (action != "rerun" or self.profile.plan is not None)
        if action == "cancel":
            return running
        if action == "update":
            return not running and self.new_report is not None
        if action == "show_tab":
            return bool(self.query(f"#{parameters[0]}"))
        return True

    def action_rerun(self) -> None:
        if self.profile.plan is not None:
            self._first = None
            self.query_one(BenchPanel).start(self.profile.plan)

    async def on_bench_panel_finished(self, message: BenchPanel.Finished) -> None:
        saved, plan = self.profile.report, self.profile.plan
        if saved is None:
            self._keep(message.report)
            self.notify("first measurement: press u to keep it in the profile", title="Re-run done")
            return
        if self._first is not None:  # the second measurement: judge the first by both
            first, self._first = self._first, None
            self.query_one(BenchPanel).show_report(first)
            self._keep(first)
            await self.show_comparison(first, message.report)
            return
        history = self.profile.history_like(message.report)
        suspects = [c.strategy for c in compare(saved, message.report, history) if c.suspect]
        if suspects and plan is not None:
            # As `advisor rerun`: a regression shows in two measurements, a burst of load in one.
            self._first = message.report
            self.notify(
                f"slower beyond noise: {', '.join(suspects)}; measuring again to confirm",
                title="Saved vs new",
            )
            self.query_one(BenchPanel).start(plan)
            return
        self._keep(message.report)
        await self.show_comparison(message.report)

    async def on_bench_panel_stopped(self, message: BenchPanel.Stopped) -> None:
        """Cancelled while measuring again: the first measurement stands, unconfirmed."""
        if self._first is not None:
            first, self._first = self._first, None
            self.query_one(BenchPanel).show_report(first)
            self._keep(first)
            await self.show_comparison(first)

    def _keep(self, report: BenchReport) -> None:
        self.new_report = report
        self.refresh_bindings()  # u can keep it now

    async def show_comparison(self, new: BenchReport, again: BenchReport | None = None) -> None:
        """Saved and new rows/s side by side, in a third tab; `again`, a second measurement
        of the plan, confirms or clears what looked slower."""
        saved, history = self.profile.report, self.profile.history_like
        comparisons = compare(saved, new, history(new))
        if again is not None:
            comparisons = confirm(comparisons, compare(saved, again, history(again)))
        tabs = self.query_one("#bench-tabs", TabbedContent)
        if not self.query("#tab-compare"):
            await tabs.add_pane(
                TabPane(
                    "3 Saved vs new",
                    VerticalScroll(  # the flags first: the chart needs scrolling at 80x24
                        Static(id="compare-machine", markup=False),
                        DataTable(id="compare-table", cursor_type="row"),
                        ComparisonChart(id="compare-chart"),
                    ),
                    id="tab-compare",
                )
            )
        self.query_one("#compare-chart", ComparisonChart).show(comparisons)
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        headers, rows = comparison_table(comparisons)
        table.add_columns(*_aligned(headers))
        for cells in rows:
            table.add_row(*_aligned(cells))
        tabs.active = "tab-compare"
        self.refresh_bindings()  # 3 shows this tab from now on
        slower = [c.strategy for c in comparisons if c.slower]
        note = machine_note(machine(self.profile.report, new))
        self.query_one("#compare-machine", Static).update(note)
        self.notify(
            f"slower beyond noise: {', '.join(slower)}"
            if slower
            else "no strategy slower beyond noise",
            title="Saved vs new",
            severity="warning" if slower else "information",
        )

    def action_show_tab(self, tab: str) -> None:
        self.query_one(BenchPanel).show_tab(tab)

    def action_update(self) -> None:
        from advisor.tui.widgets.saving import save_with_feedback

        if self.new_report is None:
            return
        self.profile.record(self.new_report)
        self.new_report = None
        save_with_feedback(self, self.profile, self.path)
        self._refresh_head()  # the header counts the history and names the latest figures
        self.refresh_bindings()

    def action_save_as(self) -> None:
        from advisor.tui.dialogs import SaveDialog
        from advisor.tui.widgets.saving import save_with_feedback

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.profile.name = path.stem
                if save_with_feedback(self, self.profile, path):
                    self.path = path
                    self._refresh_head()

        suggested = self.path.with_name(f"{self.path.stem}-copy.toml")
        self.app.push_screen(SaveDialog(suggested, "Save the profile as", ".toml"), chosen)

    def action_cancel(self) -> None:
        self.query_one(BenchPanel).cancel()

    def action_back(self) -> None:
        self.app.pop_screen()
