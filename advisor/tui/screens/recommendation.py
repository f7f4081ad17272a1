"""The advice for the answers: the same card as `advisor recommend`, and what to do next."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.console import Group
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from advisor.advice.recommendation import Recommendation
from advisor.report.card import card_blocks


class RecommendationScreen(Screen[None]):
    HELP = (
        "## The recommendation\n\nThe layer and strategy for your answers, the reasons (each "
        "names the answer behind it), the trade-offs, warnings, ranked alternatives with why "
        "not, estimated time per run and per year, and a code snippet. **b** measures the "
        "advice on a real PostgreSQL; **s** saves the whole decision as a TOML profile."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "benchmark", "Benchmark it"),
        Binding("s", "save", "Save profile"),
        Binding("escape,a", "change", "Change answers"),
    ]

    def __init__(self, recommendation: Recommendation) -> None:
        super().__init__()
        self.recommendation = recommendation

    def compose(self) -> ComposeResult:
        rec = self.recommendation
        yield Header()
        with VerticalScroll(id="card"):
            spaced = [
                part for block in card_blocks(rec) for part in (block, Text(""))
            ]  # as the CLI
            yield Static(Group(*spaced), id="card-body")
            yield Static("Snippet", classes="section-title")
            yield Static(
                Syntax(rec.snippet.strip("\n"), "python", theme="ansi_dark", word_wrap=True),
                id="snippet",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#card", VerticalScroll).focus()

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
        self.app.push_screen(
            SaveDialog(folder / f"{rec.workload.shape}-{rec.strategy}.toml"), chosen
        )

    def action_change(self) -> None:
        self.app.pop_screen()
