"""`make bench`: measures the benchmark engine's own targets and says PASS or MISS for each.

1. The embedded server is ready in under 2 s.
2. Runner overhead: `driver_copy` through the runner is within 5% of a hand-written psycopg
   COPY loop on the same server and rows.
3. `driver_copy_binary` reaches at least 85% of the server's ceiling at 1M rows.
4. The default `advisor bench` (8 strategies, 100k rows, 3 repeats) takes under 90 s.
5. 5M rows with `driver_copy_binary` peak under 600 MB RSS.
6. The app's first screen paints in under a second (timed from outside, through tmux).
7. The estimate from the reference figures is within 2x of a live `driver_copy` bench of
   100k rows on this machine (how well the seed article's figures fit here).
8. Ctrl-C stops a running `advisor bench` (exit 130, sandbox dropped) in under 3 s.

Exit status 1 when a target is missed. `--quick` skips the two slow ones (4 and 5).
The test suite checks that these things work; how fast is measured here, where a slow or
busy machine shows as a MISS with its figures rather than as a failing test.
"""

from __future__ import annotations

import gc
import os
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time

from advisor.advice.estimates import Estimator
from advisor.bench.data.datagen import StandardData
from advisor.bench.runner import run_benchmark
from advisor.bench.server import SANDBOX_SCHEMA, Sandbox, Target
from advisor.bench.table import BenchTable
from advisor.results import BenchPlan
from advisor.tables import STANDARD
from advisor.workload import Workload

OVERHEAD_ROWS = 200_000
REPEAT = 5


def hand_written_copy(target: Target, rows: list[tuple[object, ...]], repeat: int) -> list[float]:
    """The plainest psycopg COPY loop there is, timed the same way (insert + commit)."""
    times = []
    with Sandbox(target) as sandbox:
        table = BenchTable(sandbox, STANDARD)
        table.create()
        sql = f"COPY {table.qualified} ({table.column_list}) FROM STDIN"
        with target.connect() as conn:
            for _ in range(repeat + 1):  # the first is a warmup
                table.reset()
                gc.collect()
                t0 = time.perf_counter()
                with conn.cursor() as cur, cur.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                conn.commit()
                times.append(time.perf_counter() - t0)
    return times[1:]


def _line(name: str, ok: bool, detail: str) -> bool:
    print(f"{'PASS' if ok else 'MISS'}  {name:<36} {detail}", flush=True)
    return ok


def check_startup() -> bool:
    t0 = time.perf_counter()
    with Target.resolve(environ={}) as target:
        target.info()
        ready = time.perf_counter() - t0
    return _line("embedded server ready < 2 s", ready < 2.0, f"{ready:.2f} s to first query")


def check_overhead(target: Target) -> bool:
    rows = StandardData().rows(0, OVERHEAD_ROWS)
    hand = hand_written_copy(target, rows, REPEAT)
    plan = BenchPlan(
        rows=OVERHEAD_ROWS, repeat=REPEAT, strategies=["driver_copy"], memory=False, ceiling=False
    )
    (ours,) = run_benchmark(target, plan).results
    hand += hand_written_copy(target, rows, REPEAT)  # before and after, against drift
    hand_rate = OVERHEAD_ROWS / statistics.median(hand)
    ratio = ours.rows_per_s / hand_rate
    detail = (
        f"runner {ours.rows_per_s:,.0f} rows/s vs hand loop {hand_rate:,.0f} rows/s "
        f"({(ratio - 1) * 100:+.1f}%, {OVERHEAD_ROWS:,} rows, medians of {REPEAT} and {2 * REPEAT})"
    )
    return _line("runner overhead within 5%", ratio >= 0.95, detail)


def check_ceiling(target: Target) -> bool:
    plan = BenchPlan(rows=1_000_000, repeat=3, strategies=["driver_copy_binary"], memory=False)
    report = run_benchmark(target, plan)
    (binary,) = report.results
    ceiling = report.ceiling
    assert ceiling is not None
    ratio = binary.rows_per_s / ceiling.rows_per_s if ceiling.rows_per_s else 0.0
    detail = (
        f"{binary.rows_per_s:,.0f} vs ceiling {ceiling.rows_per_s:,.0f} rows/s = {ratio:.2f} "
        f"({ceiling.method}; verified {binary.verified and ceiling.verified})"
    )
    return _line("copy_binary >= 0.85 of ceiling (1M)", ratio >= 0.85, detail)


def check_estimate(target: Target) -> bool:
    rows = 100_000
    plan = BenchPlan(
        rows=rows, strategies=["driver_copy"], repeat=3, warmup=1, memory=False, ceiling=False
    )
    (result,) = run_benchmark(target, plan).results
    workload = Workload.from_dict(
        {"shape": "tuples", "rows": rows, "correctness": "low", "frequency": "daily"}
    )
    estimate = Estimator().estimate("driver_copy", workload).seconds
    ratio = estimate / result.median_s
    detail = (
        f"estimate {estimate:.3f} s vs median {result.median_s:.3f} s = x{ratio:.2f} "
        f"({rows:,} rows, verified {result.verified})"
    )
    return _line("copy estimate within 2x of live", 0.5 <= ratio <= 2.0, detail)


def _sandbox_exists(target: Target) -> bool:
    with target.connect(autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (SANDBOX_SCHEMA,)
        ).fetchone()
    return bool(row and row[0])


def check_interrupt(target: Target) -> bool:
    """Ctrl-C one second into a long ORM run, timed from the signal to the exit."""
    args = ["bench", "--dsn", target.dsn, "--rows", "200k", "--strategies", "orm_add_all"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", *args, "--no-ceiling", "--no-chart"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.perf_counter() + 60
        while not _sandbox_exists(target) and proc.poll() is None:
            if time.perf_counter() > deadline:
                return _line("ctrl-c stops a bench < 3 s", False, "the bench never started")
            time.sleep(0.05)
        time.sleep(1.0)
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
        took = time.perf_counter() - t0
    finally:
        proc.kill()
    clean = proc.returncode == 130 and not _sandbox_exists(target)
    detail = f"{took:.2f} s from SIGINT to exit {proc.returncode} (sandbox dropped: {clean})"
    return _line("ctrl-c stops a bench < 3 s", clean and took < 3.0, detail)


def _advisor(*args: str) -> tuple[float, int]:
    """Run `advisor` in a child process: wall seconds and the child's peak RSS in MB."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "advisor", *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def check_default_bench() -> bool:
    wall, _ = _advisor("bench", "--no-chart")
    return _line(
        "default bench < 90 s", wall < 90, f"{wall:.1f} s wall (8 strategies, 100k rows, 3 repeats)"
    )


def check_rss() -> bool:
    args = (
        "bench",
        "--rows",
        "5M",
        "--strategies",
        "driver_copy_binary",
        "--repeat",
        "1",
        "--no-chart",
    )
    wall, rss = _advisor(*args)
    return _line(
        "5M rows copy_binary RSS < 600 MB", rss < 600, f"peak RSS {rss} MB ({wall:.0f} s wall)"
    )


def check_first_paint() -> bool:
    """Launch `advisor` in a detached tmux and poll the pane until the first question shows:
    process start, imports and the first render, as a user would wait for them."""
    if shutil.which("tmux") is None:
        print("SKIP  first paint < 1 s                   tmux is not installed", flush=True)
        return True
    session = f"advisor-paint-{os.getpid()}"
    command = f"{shlex.quote(sys.executable)} -m advisor"
    t0 = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command], check=True
    )
    try:
        painted = None
        while painted is None and time.perf_counter() - t0 < 10:
            pane = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session],
                check=False,
                capture_output=True,
                text=True,
            )
            if "Step 1 of 5" in pane.stdout:
                painted = time.perf_counter() - t0
            time.sleep(0.005)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    if painted is None:
        return _line("first paint < 1 s", False, "the first screen did not appear within 10 s")
    return _line(
        "first paint < 1 s", painted < 1.0, f"{painted:.2f} s from launch to the first question"
    )


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    results = [check_startup(), check_first_paint()]
    with Target.resolve(environ={}) as target:
        results += [check_overhead(target), check_ceiling(target), check_estimate(target)]
        results.append(check_interrupt(target))
    if not quick:
        results += [check_default_bench(), check_rss()]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
