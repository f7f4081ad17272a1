"""The interactive app: questionnaire -> recommendation -> live benchmark -> profile.

A thin skin over the domain: answers become a `Workload` (advisor.workload), advice comes
from `advisor.advice`, measurements from `advisor.bench` in a worker thread, profiles from
`advisor.profiles`. Heavy libraries (SQLAlchemy, psycopg, the embedded server) are imported
only when a benchmark first needs them, so the first screen paints at once.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import Reactive
from textual.screen import Screen

from advisor.tui.dialogs import HelpScreen
from advisor.tui.keys import described_keys
from advisor.tui.screens.questionnaire import QuestionnaireScreen

if TYPE_CHECKING:
    from advisor.advice.estimates import Measurement
    from advisor.advice.recommendation import Recommendation
    from advisor.advice.verdict import Verdict
    from advisor.bench.server import Target
    from advisor.profiles.calibration import Calibration


def _terminal_is_light() -> bool:
    """COLORFGBG ("15;0": light text on a dark background) is set by many terminals."""
    background = os.environ.get("COLORFGBG", "").rpartition(";")[2]
    return background.isdigit() and int(background) in (7, 15)


def _ansi_theme() -> str:
    """The ANSI theme that suits the terminal: they draw with its own colours."""
    return "ansi-light" if _terminal_is_light() else "ansi-dark"


class AdvisorApp(App[None]):
    TITLE = "pg-insert-advisor"
    SUB_TITLE = "how should Python insert your rows?"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]
    # The theme from the start: set in on_mount, it made Textual parse all the CSS again
    # before the first paint.
    theme: Reactive[str] = Reactive(_ansi_theme)

    def __init__(self, *, dsn: str | None = None, profile_path: str | None = None) -> None:
        # The app draws with the terminal's own colours (ANSI themes). Saying so up front also
        # makes Textual honour NO_COLOR by dropping colours and keeping bold, reverse and
        # underline; otherwise it greys colours out, and the terminal's default colours then
        # turn black on black.
        super().__init__(ansi_color=True)
        self.dsn = dsn
        self.profile_path = profile_path
        self._target: Target | None = None

    def on_mount(self) -> None:
        # A kill (SIGTERM) quits as ctrl+q does; a closed terminal (SIGHUP) cannot, see
        # _hang_up. Either way a running benchmark drops its sandbox and the embedded server
        # is stopped and deleted.
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, lambda: self.call_later(self.action_quit))
        loop.add_signal_handler(signal.SIGHUP, lambda: self.call_later(self._hang_up))
        if self.profile_path:
            self.open_profile(Path(self.profile_path))

    def get_default_screen(self) -> Screen[Any]:
        """The questionnaire is the app's first screen, not pushed over an empty default one
        (which Textual would compose and show first: ~25 ms of the first paint)."""
        return QuestionnaireScreen()

    def target(self) -> Target:
        """The server to measure on, resolved on first use (called from worker threads)."""
        if self._target is None:
            from advisor.bench.server import Target

            self._target = Target.resolve(self.dsn)
        return self._target

    def calibration(self) -> Calibration | None:
        """`advisor calibrate`'s figures for this app's server; None when it was never
        calibrated on this machine."""
        from advisor.bench.server import Target
        from advisor.profiles import calibration

        return calibration.load(Target.resolve(self.dsn).location)

    def estimates(self) -> tuple[list[Measurement] | None, str]:
        """`advisor calibrate`'s figures for this app's server, and how they are labelled;
        none (reference figures) when it was never calibrated on this machine."""
        found = self.calibration()
        return (list(found.measurements), found.origin) if found else (None, "your bench")

    def target_label(self) -> str:
        """Where benchmarks run, for people: never a password."""
        if self._target is not None and self._target.started:
            return self._target.info().describe()
        from advisor.bench.server import DSN_ENV_VARS
        from advisor.secrets import mask

        dsn = self.dsn or next((os.environ[v] for v in DSN_ENV_VARS if os.environ.get(v)), None)
        return f"server {mask(dsn)!r}" if dsn else "embedded PostgreSQL (starts with the first run)"

    def open_profile(self, path: Path) -> None:
        from advisor.errors import InputError
        from advisor.profiles.profile import load_file
        from advisor.tui.dialogs import ErrorDialog
        from advisor.tui.screens.profile import ProfileScreen

        try:
            profile = load_file(path)
        except InputError as exc:
            self.push_screen(ErrorDialog("Cannot open the profile", str(exc)))
            return
        self.push_screen(ProfileScreen(profile, path))

    def show_advice(self, rec: Recommendation, found: Verdict | None = None) -> None:
        """The card, pushed here so that the screens that lead to it need not import it."""
        from advisor.tui.screens.recommendation import RecommendationScreen

        self.push_screen(RecommendationScreen(rec, found))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def _stop_benchmarks(self) -> None:
        """Cancel a running benchmark and wait until its sandbox has been dropped."""
        from advisor.tui.widgets.bench_panel import BenchPanel

        for screen in self.screen_stack:
            for panel in screen.query(BenchPanel):
                await panel.stop()

    async def action_quit(self) -> None:
        """Stop a running benchmark first: its sandbox must be dropped before we go."""
        await self._stop_benchmarks()
        self.exit()

    async def _hang_up(self) -> None:
        """The terminal is gone. Textual's shutdown would wait forever on the dead tty, so
        do what matters (the sandbox, the embedded server) and leave at once."""
        await self._stop_benchmarks()
        if self._target is not None:
            self._target.close()
        os._exit(128 + signal.SIGHUP)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette lists what the current screen can do now, with its key, and Help,
        next to Textual's own commands."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "what this screen is for, and its keys (?)", self.action_help)
        for key in described_keys(self, screen, available=True):
            if key.node is screen:
                yield SystemCommand(
                    key.description,
                    f"key: {key.key}",
                    lambda a=key.action: screen.run_action(a),
                )

    def on_unmount(self) -> None:
        if self._target is not None:
            self._target.close()


def make_app(*, dsn: str | None = None, profile_path: str | None = None) -> AdvisorApp:
    """The factory the CLI and the tests share."""
    return AdvisorApp(dsn=dsn, profile_path=profile_path)


def run_app(*, dsn: str | None = None, profile_path: str | None = None) -> None:
    make_app(dsn=dsn, profile_path=profile_path).run()
