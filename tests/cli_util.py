"""Run the `advisor` entry point, in-process or as a child process, and check what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from advisor.cli import main
from advisor.strategy_info import STRATEGIES


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Outcome:
    capsys.readouterr()
    code = exit_code(*args)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def exit_code(*args: str) -> int:
    """Run `advisor ARGS` in-process (its output goes wherever stdout and stderr go)."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


def start_advisor(*args: str) -> subprocess.Popen[str]:
    """`python -m advisor ARGS` as a child process with pipes, unbuffered."""
    return subprocess.Popen(
        [sys.executable, "-m", "advisor", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def alive(proc: subprocess.Popen[str]) -> bool:
    """True while the child runs; once it has exited, fail with what it printed."""
    assert proc.poll() is None, proc.communicate()
    return True


def assert_usage_error(outcome: Outcome, command: str, message: str) -> None:
    """Exit 2 and one clear line on stderr that names the command and the problem."""
    assert outcome.code == 2, outcome.err
    assert outcome.err.count("\n") == 1 and outcome.err.endswith("\n"), outcome.err
    assert outcome.err.startswith(f"advisor {command}: "), outcome.err
    assert message in outcome.err, outcome.err
    assert "Traceback" not in outcome.err


def results_rows(out: str) -> dict[str, list[str]]:
    """The rows of a printed results table, by strategy: a line whose first cell is a strategy
    id and whose second is that strategy's layer (not a chart's bar label, and not a note or
    warning that starts with an id)."""
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) > 1 and cells[0] in STRATEGIES and cells[1] == STRATEGIES[cells[0]].layer:
            rows[cells[0]] = cells
    return rows
