"""The interactive app (a placeholder until the questionnaire lands)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class AdvisorApp(App[None]):
    TITLE = "pg-insert-advisor"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("The questionnaire is not built yet; use `advisor bench --help`.")
        yield Footer()


def run_app() -> None:
    AdvisorApp().run()
