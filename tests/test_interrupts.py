"""Ctrl-C stops a run even when Python swallows the KeyboardInterrupt it raises."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from advisor.bench.server import Target
from advisor.cli.interrupts import STOP, Interrupts
from tests.cli_util import run_cli
from tests.dbutil import sandbox_exists


class _RaisesWhenCollected:
    def __del__(self) -> None:
        raise KeyboardInterrupt  # where a signal can land: Python only reports it


def test_a_swallowed_interrupt_is_kept_quiet_only_once_stopping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reported: list[type[BaseException] | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: reported.append(info.exc_type))
    interrupts = Interrupts()
    interrupts.install()
    try:
        _RaisesWhenCollected()
        assert reported == [KeyboardInterrupt], "not stopping: reported as usual"
        STOP.set()
        _RaisesWhenCollected()
        assert reported == [KeyboardInterrupt], "stopping: the stop event does the work"
    finally:
        interrupts.restore()
    _RaisesWhenCollected()
    assert len(reported) == 2, "restored"


def test_the_stop_event_alone_ends_a_bench_as_interrupted(
    capsys: pytest.CaptureFixture[str], target: Target, dsn: str
) -> None:
    def stop_once_started() -> None:
        deadline = time.monotonic() + 30
        while not sandbox_exists(target) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        STOP.set()  # what the signal handler does before its exception may be swallowed

    stopper = threading.Thread(target=stop_once_started)
    stopper.start()
    args = (
        "--rows",
        "20k",
        "--repeat",
        "20",
        "--strategies",
        "driver_executemany",
        "--rtt-ms",
        "1",
    )
    result = run_cli(capsys, "bench", *args, "--no-ceiling", "--no-chart", "--dsn", dsn)
    stopper.join()
    assert result.code == 130, result.err
    assert "interrupted; the sandbox was cleaned up" in result.err
    assert not sandbox_exists(target)
