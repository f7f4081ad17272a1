"""Ctrl-C, SIGTERM and SIGHUP (a closed terminal) for the command line: stop the work,
however busy the process is.

The first signal raises KeyboardInterrupt and also sets `STOP`, the runner's cancel event.
The exception alone is not enough: when the signal lands inside a weakref callback or a
`__del__` (SQLAlchemy has both), Python reports it as "Exception ignored" and carries on;
the event then stops the run at its next batch, and that report is kept quiet.

Once the work is done and reported, a signal ends the process at once with 130 (`_leave`),
up to the end of the exit handlers; from there on it is held (`hold_after_exit_handlers`).
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

STOP = threading.Event()
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupts:
    """The first of these signals stops the work; later ones wait for the cleanup to finish."""

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if STOP.is_set():
            print("advisor: cleaning up, please wait…", file=sys.stderr, flush=True)
            return
        STOP.set()
        raise KeyboardInterrupt

    def install(self) -> None:
        """Handle SIGINT, SIGTERM and SIGHUP, keep a swallowed interrupt quiet, until `restore`."""
        STOP.clear()
        self._hook = sys.unraisablehook
        sys.unraisablehook = self._quiet_interrupt
        self._handlers = [(sig, signal.signal(sig, self)) for sig in _SIGNALS]

    def _quiet_interrupt(self, info: Any) -> None:
        if not (STOP.is_set() and info.exc_type is KeyboardInterrupt):
            self._hook(info)

    def restore(self, *, leaving: bool = False) -> None:
        """Put the previous handlers back; or, when the process is `leaving` (its work done
        and reported), handlers that end it at once: a signal during the interpreter's exit
        has nothing left to stop or clean up, and must not end it as a KeyboardInterrupt."""
        for sig, handler in self._handlers:
            signal.signal(sig, _leave if leaving else handler)
        sys.unraisablehook = self._hook
        if STOP.is_set():
            # CPython remembers a KeyboardInterrupt that left an exec() of a string (as
            # dataclasses and namedtuple build their methods), even one caught since, and
            # `python -m advisor` then exits by SIGINT (-2) instead of with 130. Evaluating
            # a string clears that memory.
            exec("")


def _leave(signum: int, frame: FrameType | None) -> None:
    os._exit(130)  # everything has been written and flushed: nothing to run on the way out


def hold_after_exit_handlers() -> None:
    """For a process that ends when the command does: after the exit handlers, Python puts
    the default actions back while it tears itself down, and a signal then would kill the
    process (-2 in `subprocess`, not 130) after its work was done and reported. Registered
    before any other exit handler of the command, this runs last and holds the signals for
    the rest of the exit, which then ends with the command's code."""
    atexit.register(signal.pthread_sigmask, signal.SIG_BLOCK, _SIGNALS)
