"""Waiting for something another process or thread does, with timeouts meant for a machine ten
times slower than the one the suite was written on: a timeout here says "it never happened",
never "it was slow" (speed targets are `make bench`'s)."""

from __future__ import annotations

import time
from collections.abc import Callable

PATIENCE_S = 120.0


def wait_until(
    condition: Callable[[], object],
    what: str,
    timeout: float = PATIENCE_S,
    detail: Callable[[], object] = lambda: "",
) -> None:
    """Poll `condition` until true; past `timeout`, fail naming `what`, and `detail()`."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, (
            f"timed out after {timeout:g} s waiting for {what} {detail()}".rstrip()
        )
        time.sleep(0.05)
