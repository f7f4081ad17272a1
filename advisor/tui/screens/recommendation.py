"""The advice for the answers: the same card as `advisor recommend`, its code in a tab of its
own, and what to do next."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from advisor.advice.recommendation import Recommendation
from advisor.advice.verdict import Verdict
from advisor.report.card import card_blocks

if TYPE_CHECKING:
    from advisor.profiles.calibration import Calibration
    from advisor.tui.app import AdvisorApp


class RecommendationScreen(Screen[None]):
    HELP = (
        "## The recommendation\n\nThe layer and strategy for your answers, the reasons (each "
        "names the answer behind it), the trade-offs, warnings, ranked alternatives with why "
        "not, estimated time per run and per year (tab **1**), and the code (tab **2**): it "
        "scrolls sideways rather than wrap, **c** copies it to the clipboard through the "
        "terminal (OSC 52: some terminals and tmux need it allowed) and **w** writes it to a "
        "file. **b** measures the advice on a real PostgreSQL; **s** saves the whole decision "
        "as a TOML profile; **k** calibrates the estimates on this machine (every strategy "
        "briefly, about 15 s; kept for later runs, as `advisor calibrate` does)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "benchmark", "Benchmark"),
        Binding("s", "save", "Save profile"),
        Binding("c", "copy", "Copy"),
        Binding("w", "write", "Write"),
        Binding("k", "calibrate", "Calibrate"),
        Binding("escape", "change", "Answers"),
        Binding("1", "show_tab('tab-card')", "Advice tab", show=False),
        Binding("2", "show_tab('tab-code')", "Snippet tab", show=False),
    ]

    def __init__(self, recommendation: Recommendation, found: Verdict | None = None) -> None:
        super().__init__()
        self.recommendation = recommendation
        self.found = found  # when the advice was recomputed from a benchmark

    def compose(self) -> ComposeResult:
        rec = self.recommendation
        # The terminal's own colours, for a dark or a light background.
        theme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
        yield Header()
        with TabbedContent(id="rec-tabs"):
            with TabPane("1 Advice", id="tab-card"), VerticalScroll(id="card"):
                blocks = card_blocks(rec, self.found)
                spaced = [part for block in blocks for part in (block, Text(""))]
                yield Static(Group(*spaced), id="card-body")  # as the CLI prints it
            with TabPane("2 Snippet", id="tab-code"), ScrollableContainer(id="code"):
                # Never wrapped: a wrapped line would lose its indentation, and Python its
                # meaning. The container scrolls sideways instead.
                code = rec.snippet.strip("\n")
                yield Static(
                    Syntax(code, "python", theme=theme, background_color="default"), id="snippet"
                )
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#card", VerticalScroll).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # The arrows and page keys scroll what the tab shows.
        scroll = "#card" if event.pane.id == "tab-card" else "#code"
        self.query_one(scroll).focus()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#rec-tabs", TabbedContent).active = tab

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.recommendation.snippet)
        lines = self.recommendation.snippet.strip("\n").count("\n") + 1
        self.notify(
            f"{lines} lines sent to the clipboard through the terminal; if it does not allow "
            "that (OSC 52), w writes a file",
            title="Snippet copied",
        )

    def action_write(self) -> None:
        from advisor.tui.dialogs import ErrorDialog, SaveDialog

        code = self.recommendation.snippet.lstrip("\n")

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            try:
                path.write_text(code, encoding="utf-8")
            except OSError as exc:
                self.app.push_screen(ErrorDialog("The snippet was not written", str(exc)))
                return
            self.notify(f"wrote {path}", title="Snippet written")

        suggested = Path(f"insert_{self.recommendation.strategy}.py")
        self.app.push_screen(
            SaveDialog(suggested, "Write the snippet to a file", ".py", "Write"), chosen
        )

    def action_calibrate(self) -> None:
        self.notify("probing every strategy at 1k and 10k rows: about 15 s", title="Calibrating")
        self._calibrate()

    @work(thread=True, exclusive=True, exit_on_error=False, group="calibrate")
    def _calibrate(self) -> None:
        from advisor.errors import AdvisorError
        from advisor.profiles import calibration

        try:
            found, _ = calibration.calibrate(cast("AdvisorApp", self.app).target())
        except AdvisorError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", title="Calibrate")
            return
        self.app.call_from_thread(self._calibrated, found)

    def _calibrated(self, found: Calibration) -> None:
        """The same answers, estimated from the calibration: the card is drawn again."""
        from advisor.advice.rules import recommend

        w = self.recommendation.workload
        rec = recommend(w, list(found.measurements), origin=found.origin)
        self.app.switch_screen(RecommendationScreen(rec))
        self.app.notify(f"estimates now from: {found.origin}", title="Calibrated")

    def action_benchmark(self) -> None:
        from advisor.advice.plan import plan_for
        from advisor.tui.screens.benchmark import BenchmarkScreen

        self.app.push_screen(BenchmarkScreen(plan_for(self.recommendation), self.recommendation))

    def action_save(self) -> None:
        from advisor.advice.plan import plan_for
        from advisor.profiles.profile import Profile, default_directory
        from advisor.tui.dialogs import SaveDialog
        from advisor.tui.widgets.saving import save_with_feedback

        rec = self.recommendation

        def chosen(path: Path | None) -> None:
            if path is not None:
                profile = Profile(
                    path.stem, workload=rec.workload, recommendation=rec, plan=plan_for(rec)
                )
                save_with_feedback(self, profile, path)

        folder = default_directory()
        folder.mkdir(parents=True, exist_ok=True)  # the user's data directory may be new
        suggested = folder / f"{rec.workload.shape}-{rec.strategy}.toml"
        self.app.push_screen(
            SaveDialog(suggested, "Save the decision as a profile", ".toml"), chosen
        )

    def action_change(self) -> None:
        self.app.pop_screen()
