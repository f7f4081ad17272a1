"""The rich console the commands print tables and charts to."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def output_console(stream: IO[str] | None = None) -> Console:
    """A console on `stream` (stdout by default); in a file or a pipe it is wide enough that
    no figure is ever truncated."""
    from rich.console import Console

    console = Console(file=stream or sys.stdout, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 160
    return console
