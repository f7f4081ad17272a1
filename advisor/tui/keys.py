"""A screen's keys as people read them, for the help screen and the command palette."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


@dataclass(frozen=True)
class Key:
    key: str  # as the footer shows it: "esc", "^q", "?"
    description: str
    action: str
    node: DOMNode  # where the action runs: the screen or the app


def described_keys(app: App[Any], screen: Screen[Any], *, available: bool) -> list[Key]:
    """The screen's described bindings, then the app's, one per action; with `available`,
    only those the screen allows now (its check_action, as the footer asks it)."""
    keys: dict[str, Key] = {}
    nodes: tuple[DOMNode, ...] = (screen, app)
    for node in nodes:
        # make_bindings splits "escape,a" into one binding per key; the first names it.
        for binding in Binding.make_bindings(node.BINDINGS):
            if not binding.description or binding.action in keys:
                continue
            _, name, parameters = parse(binding.action)
            if available and node.check_action(name, parameters) is not True:
                continue
            keys[binding.action] = Key(
                app.get_key_display(binding), binding.description, binding.action, node
            )
    return list(keys.values())
