"""Modal dialogs: errors, confirmation, a file name, a profile picker, and help."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class ErrorDialog(ModalScreen[None]):
    """A failure the user must see; the app keeps running behind it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-body", markup=False)
            yield Button("Close", variant="primary", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss()


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-body", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Yes", variant="warning", id="yes")
                yield Button("No", variant="primary", id="no")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class SaveDialog(ModalScreen[Path | None]):
    """Ask where to write a file; an existing file is replaced only after a yes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, suggested: Path, title: str, suffix: str, verb: str = "Save") -> None:
        super().__init__()
        self.suggested, self.title_text, self.suffix, self.verb = suggested, title, suffix, verb

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(str(self.suggested), id="path")
            yield Static("", id="save-error", classes="error-text")
            with Horizontal(classes="buttons"):
                yield Button(self.verb, variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._submit()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _submit(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        path = Path(text).expanduser()
        problem = (
            f"give a file name ending in {self.suffix}"
            if not text.endswith(self.suffix) or text == self.suffix
            else f"directory {str(path.parent)!r} does not exist"
            if not path.parent.is_dir()
            else ""
        )
        if problem:
            self.query_one("#save-error", Static).update(problem)
            return
        if not path.exists():
            self.dismiss(path)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(path)

        self.app.push_screen(ConfirmDialog(f"{path} exists. Replace it?"), confirmed)


class ProfilePicker(ModalScreen[Path | None]):
    """Choose one of the profiles in a directory."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def compose(self) -> ComposeResult:
        from advisor.profiles.profile import load_file, scan
        from advisor.profiles.summary import measured_line

        found = scan(self.directory) if self.directory.is_dir() else []
        with Vertical(classes="dialog wide"):
            # Absolute: "profiles" alone reads as a word, not as the folder it is.
            yield Label(f"Open a profile from {self.directory.resolve()}", classes="dialog-title")
            if not found:
                yield Static("No profiles here yet: save one from a recommendation.")
            options = []
            for s in found:
                if s.error:
                    options.append(
                        Option(
                            f"{s.path.name}  (invalid: {s.error})", id=str(s.path), disabled=True
                        )
                    )
                    continue
                measured = measured_line(load_file(s.path)) or "not measured"
                options.append(Option(f"{s.name}  ·  {measured}", id=str(s.path)))
            if options:
                yield OptionList(*options, id="profiles")
            yield Button("Cancel", id="cancel")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Path(str(event.option.id)))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """What the current screen is for, and its keys."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.about = screen

    def compose(self) -> ComposeResult:
        from advisor.tui.keys import described_keys

        text = getattr(self.about, "HELP", "") or "pg-insert-advisor"
        # The screen's own actions and the app's, not every focused widget's keys; all of
        # them, also those the screen does not offer at this moment.
        keys = [
            f"| `{k.key}` | {k.description} |"
            for k in described_keys(self.app, self.about, available=False)
        ]
        body = text + "\n\n| key | action |\n|---|---|\n" + "\n".join(keys)
        body += "\n\n`ctrl+p` opens the command palette; `ctrl+q` quits from anywhere."
        # Imported here: markdown-it costs the first screen ~30 ms, and only help needs it.
        from textual.widgets import Markdown

        with VerticalScroll(classes="dialog wide"):
            yield Markdown(body)
            yield Button("Close", variant="primary", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss()
