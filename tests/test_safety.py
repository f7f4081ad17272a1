"""The safety issue's defects, one regression test each, through the real entry point and a
real PostgreSQL: outputs, bad input, a false "verified", one-line errors, no terminal."""

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import pytest

from advisor import limits
from advisor.bench.data.datagen import StandardData
from advisor.bench.server import _LOCK_KEY, SANDBOX_SCHEMA, Sandbox, Target, quote_ident
from advisor.bench.session import Feed, Session
from advisor.bench.table import BenchTable
from advisor.results import BenchPlan
from tests.cli_util import assert_usage_error, run_cli
from tests.dbutil import sandbox_exists

ADVISOR = [sys.executable, "-m", "advisor"]
QUICK = (
    "--rows",
    "200",
    "--repeat",
    "1",
    "--warmup",
    "0",
    "--strategies",
    "driver_copy",
    "--no-memory",
    "--no-ceiling",
    "--no-chart",
)
ETL = ("--shape", "dicts", "--rows", "10k", "--correctness", "low", "--frequency", "once")
PROFILE_HEAD = '[profile]\nname = "p"\ncreated = "2026-01-01T00:00:00+00:00"\nschema_version = 1\n'
PLAN = {
    "rows": "200",
    "repeat": "1",
    "warmup": "0",
    "strategies": '["driver_copy"]',
    "memory": "false",
    "ceiling": "false",
}


def _profile(tmp_path: Path, **keys: str) -> str:
    """A profile whose [benchmark] plan is PLAN with `keys` (TOML values) put in."""
    path = tmp_path / "p.toml"
    plan = "".join(f"{key} = {value}\n" for key, value in (PLAN | keys).items())
    path.write_text(f"{PROFILE_HEAD}\n[benchmark]\n{plan}")
    return str(path)


Stream = int | IO[Any] | None  # what subprocess takes for stdin, stdout and stderr


def _run(
    *args: str | bytes,
    env: dict[str, str | None] | None = None,
    timeout: float = 20,
    stdin: Stream = None,
    stdout: Stream = None,
    stderr: Stream = None,
) -> subprocess.CompletedProcess[str]:
    """The real command: argv bytes, environment and stdio as a user's shell gives them.
    `env` adds to the test's environment (None: unset), which names no DSN. Output is
    captured unless stdin or stdout is given."""
    changes = {"ADVISOR_DSN": None, "DATABASE_URL": None} | (env or {})
    environ = {k: v for k, v in os.environ.items() if k not in changes}
    return subprocess.run(
        [*ADVISOR, *args],
        check=False,
        env=environ | {k: v for k, v in changes.items() if v is not None},
        capture_output=stdout is None and stdin is None,
        stdin=stdin,
        stdout=stdout,
        stderr=stderr,
        text=True,
        timeout=timeout,
    )


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    return stderr


# --- 6. results lost to an output error ---------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--json", "{tmp}", "is a directory"),
        ("--markdown", "{tmp}", "is a directory"),
        ("--json", "/proc/x.json", "cannot write '/proc/x.json'"),
        ("--markdown", "{tmp}/missing/r.md", "does not exist"),
        ("--save", "/proc/x.toml", "cannot write '/proc/x.toml'"),
        ("--save", "{tmp}/dir.toml", "is a directory"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_the_first_run(
    capsys: pytest.CaptureFixture[str],
    dsn: str,
    target: Target,
    tmp_path: Path,
    option: str,
    value: str,
    message: str,
) -> None:
    (tmp_path / "dir.toml").mkdir()
    result = run_cli(capsys, "bench", *QUICK, "--dsn", dsn, option, value.format(tmp=tmp_path))
    assert_usage_error(result, "bench", message)
    assert result.out == ""  # nothing was measured
    assert not sandbox_exists(target)


def test_two_outputs_in_one_file_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    same = str(tmp_path / "r.txt")
    result = run_cli(capsys, "bench", *QUICK, "--json", same, "--markdown", same)
    assert_usage_error(result, "bench", "--json and --markdown must name different files")
    result = run_cli(capsys, "bench", *QUICK, "--json", "-", "--markdown", "-")
    assert_usage_error(result, "bench", "would both write to stdout")


def test_a_write_failing_after_the_run_keeps_the_results_and_the_other_files(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    markdown, profile = tmp_path / "r.md", tmp_path / "p.toml"
    result = run_cli(
        capsys,
        "bench",
        *QUICK,
        "--dsn",
        dsn,
        "--json",
        "/dev/full",  # accepted (a device), and then full
        "--markdown",
        str(markdown),
        "--save",
        str(profile),
    )
    assert result.code == 1, result.err
    assert "driver_copy" in result.out and "yes" in result.out  # the results were shown
    assert "driver_copy" in markdown.read_text() and "driver_copy" in profile.read_text()
    assert "Traceback" not in result.err
    last = result.err.splitlines()[-1]
    assert last == "advisor bench: could not write --json '/dev/full': No space left on device"
    assert result.err.count("could not write") == 1


# --- 7. tracebacks and hangs on bad input -------------------------------------------------


def test_undecodable_bytes_in_table_are_one_line() -> None:
    done = _run("bench", *QUICK, "--table", b"\xff\xfe")
    assert done.returncode == 2
    assert "holds bytes that are not text" in _one_line(done.stderr)


def test_a_bad_connect_timeout_is_one_line_before_connecting() -> None:
    done = _run("bench", *QUICK, "--dsn", "host=/nonexistent connect_timeout=abc")
    assert done.returncode == 2
    assert "bad value for connect_timeout: 'abc'" in _one_line(done.stderr)


def test_deeply_nested_json_and_toml_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    deep_json = tmp_path / "deep.json"
    deep_json.write_text("[" * 100_000)
    result = run_cli(capsys, "recommend", *ETL, "--from-bench", str(deep_json))
    assert_usage_error(result, "recommend", "nested too deeply")
    deep_toml = tmp_path / "deep.toml"
    deep_toml.write_text("a = " + "[" * 100_000 + "]" * 100_000)
    assert_usage_error(run_cli(capsys, "rerun", str(deep_toml)), "rerun", "nested too deeply")


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_rerun_reads_regular_files_only_and_never_blocks(tmp_path: Path, special: str) -> None:
    path = tmp_path / "p.toml"
    if special == "fifo":
        os.mkfifo(path)
    else:
        path = Path(special)
    done = _run("rerun", str(path))  # a FIFO blocked, /dev/zero ate the memory
    assert done.returncode == 2
    assert "cannot read profile" in _one_line(done.stderr)


def test_a_profile_larger_than_10_mib_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "big.toml"
    path.write_text(PROFILE_HEAD + "# " + "x" * (10 * 2**20) + "\n")
    assert_usage_error(run_cli(capsys, "rerun", str(path)), "rerun", "larger than 10 MiB")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rows", "1e300"), "rows must be at most 10,000,000, not '1e300'"),
        (("--repeat", "9" * 30), "is not in the range 1<=x<=100"),
        (("--warmup", "101"), "is not in the range 0<=x<=100"),
        (("--sweep", "100..1e300"), "TO must be at most 10,000,000"),
        (("--sweep", "100..1k", "--points", "9" * 30), "a sweep has 2 to 12 points"),
        (("--seed", "9" * 30), "seed must be a whole number from"),
    ],
)
def test_bench_refuses_what_would_run_until_killed(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert_usage_error(run_cli(capsys, "bench", *args), "bench", message)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("batch_rows", "0", "benchmark.batch_rows must be a whole number from 1 to 1,000,000"),
        ("rows", "9223372036854775807", "benchmark.rows must be a whole number from 1 to"),
        ("repeat", "1000", "benchmark.repeat must be"),
        ("seed", "100000000000000000000", "benchmark.seed must be"),
        ("simulated_rtt_ms", "nan", "benchmark.simulated_rtt_ms: a round trip must be"),
    ],
)
def test_a_profile_beyond_the_limits_is_refused_before_any_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, key: str, value: str, message: str
) -> None:
    path = _profile(tmp_path, **{key: value})
    assert_usage_error(run_cli(capsys, "rerun", path), "rerun", message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((*ETL[:2], "--rows", "1e13", *ETL[4:]), "rows must be at most 1,000,000,000,000"),
        ((*ETL, "--budget-s", "1e300"), "budget_s must be more than 0 seconds and at most 604800"),
    ],
)
def test_recommend_refuses_absurd_workloads(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert_usage_error(run_cli(capsys, "recommend", *args), "recommend", message)


def test_the_readme_lists_every_limit() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme[readme.index("**Limits.**") : readme.index("### `advisor recommend`")]
    for name, value in vars(limits).items():
        if name.startswith("MAX_"):
            shown = f"{value // 2**20} MiB" if name == "MAX_INPUT_BYTES" else f"{value:,.0f}"
            assert shown in table, name
    assert f"0 to {limits.MAX_RTT_MS:,.0f} ms" in table


# --- 8. a false "verified" ----------------------------------------------------------------


def test_a_profile_with_negative_batch_rows_is_refused_not_verified(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    # It used to insert nothing and report "verified yes" at 154k rows/s.
    path = _profile(tmp_path, batch_rows="-1")
    result = run_cli(capsys, "rerun", path, "--dsn", dsn)
    assert_usage_error(result, "rerun", "benchmark.batch_rows must be a whole number from 1")


def test_a_run_that_stores_fewer_rows_than_planned_is_never_verified(target: Target) -> None:
    plan = BenchPlan(rows=300, repeat=1, warmup=0, strategies=["driver_copy"], memory=False)
    dataset = StandardData(plan.seed)
    with Sandbox(target) as sandbox:
        table = BenchTable(sandbox, dataset.spec)
        table.create()
        short = Feed(dataset, 200, plan.batch_rows)  # an input cut short: its checksum matches
        session = Session(target, plan, lambda event: None, None, table, short)
        result = session.bench_strategy("driver_copy")
    assert result.error is None, result.error
    assert not result.verified
    assert result.problem == "stored 200 rows, the plan asks for 300"


# --- 9. one line means one line -----------------------------------------------------------


def test_a_lock_held_by_another_run_is_the_only_line(
    capsys: pytest.CaptureFixture[str], dsn: str, target: Target
) -> None:
    with target.connect(autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        result = run_cli(capsys, "bench", *QUICK, "--dsn", dsn)
    assert_usage_error(result, "bench", "another pg-insert-advisor run is using this server")


def test_a_schema_not_ours_is_the_only_line(
    capsys: pytest.CaptureFixture[str], dsn: str, target: Target
) -> None:
    with target.connect(autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {quote_ident(SANDBOX_SCHEMA)}")
        try:
            result = run_cli(capsys, "bench", *QUICK, "--dsn", dsn)
        finally:
            conn.execute(f"DROP SCHEMA {quote_ident(SANDBOX_SCHEMA)}")
    assert_usage_error(result, "bench", "was not created by pg-insert-advisor")


def test_a_profile_error_found_after_connecting_is_the_only_line(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    path = _profile(tmp_path, table='"public.no_such_table"')
    result = run_cli(capsys, "rerun", path, "--dsn", dsn)
    assert_usage_error(result, "rerun", "table 'public.no_such_table' not found")


def test_progress_lines_come_once_the_run_starts(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    result = run_cli(capsys, "rerun", _profile(tmp_path), "--dsn", dsn)
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert lines[0].startswith("profile 'p' (created 2026-01-01")
    assert lines[1].startswith("server: PostgreSQL")
    assert lines[2].startswith("round trip to the server:")


def test_the_embedded_server_prints_no_xdg_runtime_dir_warning() -> None:
    done = _run("bench", *QUICK, env={"XDG_RUNTIME_DIR": None}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "XDG_RUNTIME_DIR" not in done.stderr
    assert done.stderr.splitlines()[0].startswith("server: embedded PostgreSQL")


@pytest.mark.parametrize("as_json", [False, True])
def test_an_ascii_only_stdout_degrades_instead_of_failing(as_json: bool) -> None:
    args = ("recommend", *ETL, "--json") if as_json else ("recommend", *ETL)
    done = _run(*args, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if as_json:
        assert json.loads(done.stdout)["strategy"]
    else:
        assert "Recommended" in done.stdout


@pytest.mark.parametrize("command", [("recommend", *ETL), ("strategies",)])
def test_stdout_on_a_full_device_is_one_line_and_exit_1(command: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = _run(*command, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert _one_line(done.stderr) == (
        f"advisor {command[0]}: cannot write the output: No space left on device\n"
    )


# --- 10. no terminal ----------------------------------------------------------------------


def test_the_app_is_refused_without_a_terminal() -> None:
    done = _run(stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert "the app needs a terminal" in _one_line(done.stderr)
    assert "advisor recommend" in done.stderr and "advisor bench" in done.stderr


def test_a_broken_profile_is_one_line_before_the_app_starts(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(PROFILE_HEAD + "[benchmark]\nrows = 0\n")
    primary, secondary = pty.openpty()  # a real terminal: the app would start on it
    try:
        done = _run(str(broken), stdin=secondary, stdout=secondary, stderr=subprocess.PIPE)
    finally:
        os.close(secondary)
        os.close(primary)
    assert done.returncode == 2
    assert _one_line(done.stderr).startswith(f"advisor: {broken}: benchmark.rows must be")
