"""Yes/no controls that show their state as a glyph, `[x]` or `[ ]`: Textual's own draw the
same `▐X▌` either way and tell the states apart by colour alone, which NO_COLOR, a monochrome
theme or a colour-blind reader loses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Checkbox, OptionList
from textual.widgets.option_list import Option


def mark(on: bool) -> str:
    return "[x]" if on else "[ ]"


class TickBox(Checkbox):
    """A Checkbox drawn as `[x] label` (the same width as Textual's button)."""

    def render(self) -> Content:
        label = self.label.pad(1, 1).stylize_before(self.get_visual_style("toggle--label"))
        return Content.assemble((mark(self.value), self.get_visual_style("toggle--button")), label)


class CheckList(OptionList):
    """Options to pick several of, each line `[x] label`; space or enter toggles one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_highlighted", "Toggle", show=False)
    ]

    def __init__(
        self, choices: Sequence[tuple[str, str]], selected: Iterable[str], *, id: str | None = None
    ) -> None:
        self._labels = dict(choices)  # value -> label, in display order
        self._selected = set(selected) & self._labels.keys()
        super().__init__(*(Option(self._prompt(v), id=v) for v in self._labels), id=id)

    @property
    def selected(self) -> list[str]:
        """The checked values, in display order."""
        return [v for v in self._labels if v in self._selected]

    def _prompt(self, value: str) -> Content:
        # Content, not markup: "[x]" would read as a style tag.
        return Content(f"{mark(value in self._selected)} {self._labels[value]}")

    def toggle(self, value: str) -> None:
        self._selected ^= {value}
        self.replace_option_prompt(value, self._prompt(value))

    def action_toggle_highlighted(self) -> None:
        option = self.highlighted_option
        if option is not None and option.id is not None:
            self.toggle(option.id)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # enter or a click toggles; the screen has nothing to do with it
        if event.option.id is not None:
            self.toggle(event.option.id)
