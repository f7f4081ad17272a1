"""Step by step through the questions of `advisor.workload.QUESTIONS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from advisor.errors import InputError
from advisor.tui.widgets.checks import TickBox
from advisor.tui.widgets.validators import Raises
from advisor.units import parse_count
from advisor.workload import QUESTION_BY_KEY, QUESTIONS, Choice, Question, Workload

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp

MAIN_STEPS = tuple(q for q in QUESTIONS if q.required)  # one screen step each
ADVANCED = tuple(q for q in QUESTIONS if not q.required)  # together on the last step
STEPS = len(MAIN_STEPS) + 1
# The optional numbers as people call them (the Workload's messages name its fields), and
# what leaving one empty means: the placeholder says that, not an example that looks typed.
NAMES = {"budget_s": "the time budget", "rtt_ms": "the round trip"}
WHEN_EMPTY = {"budget_s": "no limit", "rtt_ms": "0 (a local server)"}
LABEL_WIDTH = 12  # the longest choice label ("ORM objects", "continuous") and a space


def choice_prompt(choice: Choice) -> Table:
    """A choice as two columns: a description too long for the line (80 columns) wraps
    beside its label, not under it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=LABEL_WIDTH, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(choice.label, choice.description)
    return grid


def in_words(message: str) -> str:
    """A Workload message with its field names in words: `the time budget must be ...`."""
    for key, name in NAMES.items():
        message = message.replace(key, name)
    return message


def _optional_number(key: str) -> Callable[[str], object]:
    """Check one optional answer with the Workload's own rules and messages, in words."""
    base = {"shape": "tuples", "rows": 1, "correctness": "low", "frequency": "once"}

    def check(value: str) -> object:
        try:
            return Workload.from_dict(base | {key: value})
        except InputError as exc:
            raise InputError(in_words(str(exc))) from None

    return check


class QuestionnaireScreen(Screen[None]):
    HELP = (
        "## The questionnaire\n\nFour questions describe the workload, a fifth step holds the "
        "optional ones. Choose with the arrow keys and **Enter**, type the volume as `500`, "
        "`10k`, `2M` or `1e6` (it has no default). On the last step **space** ticks a box, "
        "**tab** moves on, an empty field keeps the default it shows. **Esc** goes back; "
        "your answers are kept. The advice comes from the seed article's rule-of-thumb "
        "matrix and needs no database."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+o", "open_profile", "Open profile"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, Any] = {}
        self.step = 0
        self._steps_mounting: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="questionnaire"):
            yield Label("", id="step-label")
            # The first step only: the others are mounted once it has painted (half the
            # widgets, a fifth of the time to the first screen).
            with ContentSwitcher(initial="step-0", id="steps"):
                yield self._step(0)
            with Horizontal(classes="nav"):
                yield Button("◂ Back", id="back")
                yield Button("Next ▸", variant="primary", id="next")
        yield Footer(compact=True, show_command_palette=False)

    def _step(self, i: int) -> Vertical:
        if i < len(MAIN_STEPS):
            return Vertical(*self._ask(MAIN_STEPS[i]), id=f"step-{i}", classes="step")
        return Vertical(
            Label("A few optional details", classes="question"),
            Static("Leave them as they are when they do not apply.", classes="explanation"),
            *(widget for question in ADVANCED for widget in self._advanced(question)),
            Static("", id="advanced-error", classes="error-text"),
            Button("Recommend ▸", variant="primary", id="finish"),
            id=f"step-{i}",
            classes="step",
        )

    def _ask(self, q: Question) -> list[Widget]:
        widgets: list[Widget] = [
            Label(q.title, classes="question"),
            Static(q.explanation, classes="explanation"),
        ]
        if q.choices:
            widgets.append(
                OptionList(
                    *(Option(choice_prompt(c), id=c.value) for c in q.choices),
                    id=f"answer-{q.key}",
                )
            )
            return widgets
        # No placeholder: a dim value in the field would look like a default, and there is
        # none.
        return [
            *widgets,
            Static(f"e.g. {q.example}", classes="example"),
            Input(
                id=f"answer-{q.key}",
                validators=[Raises(lambda v: parse_count(v, what=q.key))],
                validate_on=["changed", "submitted"],
            ),
            Static("", id=f"error-{q.key}", classes="error-text"),
        ]

    def _advanced(self, q: Question) -> list[Widget]:
        if q.example == "":  # a yes/no question
            return [
                TickBox(q.title, id=f"answer-{q.key}", tooltip=q.explanation, compact=True),
                Static(q.explanation, classes="explanation small"),
            ]
        field = Input(
            placeholder=WHEN_EMPTY.get(q.key, f"e.g. {q.example}"),
            id=f"answer-{q.key}",
            validators=[Raises(_optional_number(q.key), optional=True)],
            validate_on=["changed", "submitted"],
            tooltip=q.explanation,
            compact=True,
        )
        return [
            Horizontal(Label(q.title, classes="field-label"), field, classes="field compact"),
            Static("", id=f"error-{q.key}", classes="error-text small"),  # beside its field
            Static(q.explanation, classes="explanation small"),
        ]

    def _mount_steps(self) -> AwaitMount:
        """The steps after the first, hidden (started once; awaiting it again is free)."""
        if self._steps_mounting is None:
            steps = [self._step(i) for i in range(1, STEPS)]
            for step in steps:
                step.display = False  # as the ContentSwitcher shows only its current child
            self._steps_mounting = self.query_one("#steps", ContentSwitcher).mount(*steps)
        return self._steps_mounting

    def on_mount(self) -> None:
        self._show(0)
        self.call_after_refresh(self._mount_steps)

    async def on_screen_resume(self) -> None:
        """Back from the recommendation: on the last step, where it was asked for; Esc
        walks back through the others, answers kept."""
        if self.answers:
            await self._go(len(MAIN_STEPS))

    # --- navigation ------------------------------------------------------------------------

    async def _go(self, step: int) -> None:
        """Show `step`, once the steps after the first are there (at once but for a key
        pressed before the first step had painted)."""
        await self._mount_steps()
        self._show(step)

    def _show(self, step: int) -> None:
        self.step = step
        self.query_one("#steps", ContentSwitcher).current = f"step-{step}"
        title = MAIN_STEPS[step].key if step < len(MAIN_STEPS) else "details"
        dots = " ".join("●" if i <= step else "○" for i in range(STEPS))
        self.query_one("#step-label", Label).update(
            f"Step {step + 1} of {STEPS} · {title}   {dots}"
        )
        self.query_one("#back", Button).disabled = step == 0
        self.refresh_bindings()
        self.query_one("#next", Button).display = step < len(MAIN_STEPS)
        if step < len(MAIN_STEPS):
            q = MAIN_STEPS[step]
            widget = self.query_one(f"#answer-{q.key}")
            if isinstance(widget, OptionList) and q.key in self.answers:
                widget.highlighted = [c.value for c in q.choices].index(self.answers[q.key])
            elif isinstance(widget, OptionList) and widget.highlighted is None:
                widget.highlighted = 0
            widget.focus()
        else:
            self.query_one(f"#answer-{ADVANCED[0].key}").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.step > 0 if action == "back" else True  # the first step has no back

    def action_back(self) -> None:
        if self.step > 0:
            self._show(self.step - 1)  # a step it has been on: there

    async def action_next(self) -> None:
        if self.step >= len(MAIN_STEPS):
            self._finish()
            return
        q = MAIN_STEPS[self.step]
        widget = self.query_one(f"#answer-{q.key}")
        if isinstance(widget, OptionList):
            if widget.highlighted is not None:
                await self._answer(q, q.choices[widget.highlighted].value)
        elif isinstance(widget, Input):
            await self._submit_input(q, widget)

    async def _answer(self, q: Question, value: Any) -> None:
        self.answers[q.key] = value
        await self._go(self.step + 1)

    async def _submit_input(self, q: Question, widget: Input) -> None:
        if not widget.value.strip():
            self.query_one(f"#error-{q.key}", Static).update(
                f"type an answer, e.g. {q.example}: there is no default"
            )
            return
        result = widget.validate(widget.value)
        if result is not None and not result.is_valid:
            self.query_one(f"#error-{q.key}", Static).update(result.failure_descriptions[0])
            return
        await self._answer(q, widget.value.strip())

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        key = (event.option_list.id or "").removeprefix("answer-")
        await self._answer(QUESTION_BY_KEY[key], event.option.id)

    def on_input_changed(self, event: Input.Changed) -> None:
        key = (event.input.id or "").removeprefix("answer-")
        result = event.validation_result
        message = (
            ""
            if result is None or result.is_valid or not event.value
            else result.failure_descriptions[0]
        )
        self.query_one(f"#error-{key}", Static).update(message)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        key = (event.input.id or "").removeprefix("answer-")
        q = QUESTION_BY_KEY[key]
        if q.required:
            await self._submit_input(q, event.input)
        else:
            self._finish()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            await self.action_next()
        elif event.button.id == "back":
            self.action_back()
        elif event.button.id == "finish":
            self._finish()

    # --- the answers -----------------------------------------------------------------------

    def workload(self) -> Workload:
        """The answers so far as a Workload; raises InputError with the first problem."""
        answers = dict(self.answers)
        for q in ADVANCED:
            widget = self.query_one(f"#answer-{q.key}")
            if isinstance(widget, TickBox):
                answers[q.key] = widget.value
            elif isinstance(widget, Input) and widget.value.strip():
                answers[q.key] = widget.value.strip()
        return Workload.from_dict(answers)

    def _finish(self) -> None:
        from advisor.advice.rules import recommend
        from advisor.tui.screens.recommendation import RecommendationScreen

        try:
            workload = self.workload()
        except InputError as exc:
            error = self.query_one("#advanced-error", Static)
            error.update(in_words(str(exc)))
            error.scroll_visible()
            return
        measured, origin = cast("AdvisorApp", self.app).estimates()
        self.app.push_screen(RecommendationScreen(recommend(workload, measured, origin=origin)))

    def action_open_profile(self) -> None:
        from advisor.profiles.profile import default_directory
        from advisor.tui.dialogs import ProfilePicker

        def chosen(path: object) -> None:
            if path is not None:
                from pathlib import Path

                cast("AdvisorApp", self.app).open_profile(Path(str(path)))

        self.app.push_screen(ProfilePicker(default_directory()), chosen)
