"""Run the `advisor` entry point in-process and capture what it prints."""

from dataclasses import dataclass

import pytest

from advisor.cli import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Outcome:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    code = exit_info.value.code
    return Outcome(code if isinstance(code, int) else 1, captured.out, captured.err)


def assert_usage_error(outcome: Outcome, command: str, message: str) -> None:
    """Exit 2 and one clear line on stderr that names the command and the problem."""
    assert outcome.code == 2, outcome.err
    assert outcome.err.count("\n") == 1 and outcome.err.endswith("\n"), outcome.err
    assert outcome.err.startswith(f"advisor {command}: "), outcome.err
    assert message in outcome.err, outcome.err
    assert "Traceback" not in outcome.err
