"""Errors the tool reports to the user as one line.

`InputError` is a user mistake (exit code 2); `BenchFailure` is something that went
wrong while measuring (exit code 1). Anything else is a bug and keeps its traceback.
"""


class AdvisorError(Exception):
    """Base class: the message is shown to the user as is."""

    exit_code = 1


class InputError(AdvisorError):
    """Bad input: an option, a file, a DSN, a table that cannot be used."""

    exit_code = 2


class BenchFailure(AdvisorError):
    """The benchmark could not complete (server died, disk full, ...)."""

    exit_code = 1


class Cancelled(AdvisorError):
    """The user cancelled a run (Ctrl-C, Escape, SIGTERM)."""

    exit_code = 130


def first_line(exc: BaseException) -> str:
    """An exception's first non-empty line, or its type's name: enough for one-line reports."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
