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
