"""Closing the terminal (SIGHUP) or killing the app (SIGTERM) mid-run leaves nothing behind."""

import contextlib
import os
import pty
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

PROFILE = Path(__file__).resolve().parent.parent / "profiles" / "web-app-orders.toml"


def _servers() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("advisor-pg-*"))


@pytest.mark.parametrize("how", ["close the terminal", "SIGTERM"])
def test_the_app_stops_its_benchmark_and_server_when_the_terminal_goes(how: str) -> None:
    before = _servers()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app on a real pseudo-terminal, re-running a shipped profile
        os.environ.update({"COLUMNS": "100", "LINES": "30"})
        os.execv(sys.executable, [sys.executable, "-m", "advisor", str(PROFILE)])
    screen = bytearray()
    reader = threading.Thread(target=_drain, args=(fd, screen), daemon=True)
    reader.start()
    try:
        _wait(lambda: b"Re-run" in screen, "the profile screen")
        os.write(fd, b"r")
        _wait(lambda: len(_servers() - before) == 1, "the embedded server")
        time.sleep(1.0)  # inside the run
        if how == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
        else:
            os.close(fd)  # as a closed window does: the kernel sends the app SIGHUP
            fd = -1
        _wait(lambda: os.waitpid(pid, os.WNOHANG) != (0, 0), "the app to exit")
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):  # gone, as it should be
            os.kill(pid, signal.SIGKILL)
        if fd >= 0:
            os.close(fd)
    _wait(lambda: not (_servers() - before), "the server's data directory to go")


def _drain(fd: int, screen: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        screen.extend(chunk)


def _wait(condition: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
