"""Closing the terminal (SIGHUP) or killing the app (SIGTERM) mid-run leaves nothing behind:
no server process, no data directory."""

import contextlib
import os
import pty
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from advisor.bench import embedded
from advisor.bench.server import Target
from advisor.errors import InputError
from tests.dbutil import sandbox_exists
from tests.waiting import wait_until

pytestmark = pytest.mark.db  # the app starts an embedded server of its own

PROFILE = Path(__file__).resolve().parent.parent / "profiles" / "web-app-orders.toml"


@pytest.fixture
def private_tmp() -> Iterator[Path]:
    """The app's TMPDIR, where its server's data directory goes: other runs on this machine
    have servers of their own in /tmp. Short, as the server's socket path must be."""
    path = Path(tempfile.mkdtemp(prefix="hup-"))
    try:
        yield path
    finally:
        for proc in _processes_of(path):  # only when the test failed: none should be left
            with contextlib.suppress(psutil.Error):
                proc.kill()
        shutil.rmtree(path, ignore_errors=True)


def _benchmarking(root: Path) -> bool:
    """The app's server (its socket is in its data directory, inside the server's directory)
    holds the benchmark's sandbox."""
    socket_dir = root / embedded.DATA_DIR
    try:
        return sandbox_exists(Target(f"postgresql://postgres@/postgres?host={socket_dir}"))
    except InputError:  # not accepting connections yet
        return False


def _processes_of(datadir: Path) -> list[psutil.Process]:
    """Live processes started on a path in `datadir` (the postmaster) or working in it (the
    server's children). `datadir`: the server's directory, or its data directory."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if str(datadir) in " ".join(proc.cmdline()) or proc.cwd().startswith(str(datadir)):
                found.append(proc)
    return found


@pytest.mark.parametrize("how", ["close the terminal", "SIGTERM"])
def test_the_app_stops_its_benchmark_and_server_when_the_terminal_goes(
    how: str, private_tmp: Path
) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app on a real pseudo-terminal, re-running a shipped profile
        os.environ.update({"COLUMNS": "100", "LINES": "30", "TMPDIR": str(private_tmp)})
        os.execv(sys.executable, [sys.executable, "-m", "advisor", str(PROFILE)])
    screen = bytearray()
    reader = threading.Thread(target=_drain, args=(fd, screen), daemon=True)
    reader.start()
    try:
        wait_until(lambda: b"Re-run" in screen, "the profile screen")
        os.write(fd, b"r")
        wait_until(lambda: any(private_tmp.glob("advisor-pg-*")), "the app's server")
        (datadir,) = private_tmp.glob("advisor-pg-*")
        wait_until(lambda: _benchmarking(datadir), "the benchmark to run")
        assert _processes_of(datadir), "the server's processes are there to be seen"
        if how == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
        else:
            os.close(fd)  # as a closed window does: the kernel sends the app SIGHUP
            fd = -1
        wait_until(lambda: os.waitpid(pid, os.WNOHANG) != (0, 0), "the app to exit")
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):  # gone, as it should be
            os.kill(pid, signal.SIGKILL)
        if fd >= 0:
            os.close(fd)
    wait_until(lambda: not datadir.exists(), "the server's data directory to go")
    wait_until(lambda: not _processes_of(datadir), "the server's processes to go")


def _drain(fd: int, screen: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        screen.extend(chunk)
