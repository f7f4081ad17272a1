"""A hostile corpus: hundreds of bad invocations through the real entry point.

Every case must end within BOUND_S with its documented exit code (2: usage or input error),
exactly the expected number of stderr lines (one for an error) and no traceback. Cases that
need real argv bytes, an environment, special stdio or special files (FIFOs, devices) run as
subprocesses of `python -m advisor`, in parallel; the rest run in-process through
`advisor.cli.main`, the same code without an interpreter start each. Cases that reach a
server use the session's embedded one, one at a time (a run holds the server's lock).
"""

import json
import os
import pty
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import make_conninfo

from advisor.results import BenchPlan, BenchReport, Environment, StrategyResult
from tests.cli_util import run_cli

BOUND_S = 20.0  # generous: only a hang or a run that should never have started takes longer
WORKERS = 4
# Valid options that make a run short, should a bad value be let through.
QUICK: tuple[str, ...] = ("--rows", "100", "--repeat", "1", "--warmup", "0", "--strategies")
QUICK += ("driver_copy", "--no-memory", "--no-ceiling", "--no-chart")
ETL = {"--shape": "dicts", "--rows": "10k", "--correctness": "low", "--frequency": "once"}
NO_SERVER = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"  # refused at once


@dataclass(frozen=True)
class Case:
    """One invocation. `{files}` in an argument is the corpus's directory of bad files,
    `{dsn}` the embedded server's DSN and `{dsn+key=value}` the same with one key changed."""

    args: tuple[str | bytes, ...]
    code: int = 2
    lines: int = 1  # on stderr
    message: str = ""  # part of stderr, when it matters which error is reported
    env: tuple[tuple[str, str | bytes | None], ...] = ()  # None: unset
    stdin: str = "null"  # "null", "tty" or "closed"
    stdout: str = "pipe"  # "pipe", "tty", "full" or "closed"
    process: bool = False  # a subprocess even when nothing below requires one

    @property
    def subprocess(self) -> bool:
        special = self.stdin != "null" or self.stdout != "pipe"
        raw = any(isinstance(a, bytes) or "fifo" in str(a) or "/dev/" in str(a) for a in self.args)
        return self.process or special or raw or bool(self.env)

    @property
    def server(self) -> bool:
        return any("{dsn" in str(a) for a in self.args)

    def label(self) -> str:
        shown = " ".join(repr(a) if isinstance(a, bytes) else a for a in self.args)
        for common, name in ((" ".join(QUICK), "QUICK"), (" ".join(_etl()), "ETL")):
            shown = shown.replace(common, name)
        extras = [f"{k}={v!r}" for k, v in self.env]
        extras += [f"stdin={self.stdin}"] * (self.stdin != "null")
        extras += [f"stdout={self.stdout}"] * (self.stdout != "pipe")
        text = " ".join([*extras, shown]) or "(no arguments)"
        return text if len(text) <= 90 else text[:87] + "..."


def _etl(**changes: str | None) -> tuple[str, ...]:
    """recommend's required options, with `changes` (None drops one)."""
    merged = ETL | {f"--{k.replace('_', '-')}": v for k, v in changes.items()}
    return tuple(part for k, v in merged.items() if v is not None for part in (k, v))


# --- bad values per option ----------------------------------------------------------------

HUGE = "9" * 30
LONG = "9" * 5000  # beyond what int() converts
BENCH_VALUES: dict[str, list[str]] = {
    "--rows": [
        "0",
        "-1",
        "abc",
        "1e300",
        "1.5",
        "inf",
        "nan",
        "10x",
        "10000001",
        "2.5",
        "0x10",
        "1e-3",
        "-0",
        "10M1",
        "1e7.5",
        "",
        " ",
        HUGE,
        LONG,
    ],
    "--repeat": ["0", "-1", "abc", "1e3", "101", "1.5", "", HUGE, LONG],
    "--warmup": ["-1", "abc", "101", "0.5", "", HUGE],
    "--sweep": [
        "abc",
        "100",
        "100..100",
        "100..10",
        "0..100",
        "100..1e300",
        "..",
        "1k..",
        "..1M",
        "a..b",
        "100...1000",
        "100..1e7.5",
        "-5..10",
        "1..10000001",
    ],
    "--rtt-ms": ["-1", "abc", "nan", "inf", "1e9", "1001", "-inf", ""],
    "--strategies": ["bogus", "all,bogus", "driver_copy,,nope", "ALL", "synced", "", ","],
    "--data": ["bogus", "", "Standard"],
    "--seed": ["abc", "1.5", HUGE, "-" + HUGE, ""],
    "--table": ["", "   "],
    "--json": ["{files}", "/proc/x.json", "/nonexistent/x.json", "{files}/dir.json", "/"],
    "--markdown": ["{files}", "/proc/x.md", "/nonexistent/x.md", "{files}/dir.json"],
    "--save": [
        "{files}/x.txt",
        "/proc/x.toml",
        "{files}/exists.toml",
        "/nonexistent/x.toml",
        "{files}/dir.toml",
    ],
    "--dsn": [
        *["host='unterminated", "postgresql://[::1", "connect_timeout=abc", "=", "a=b"],
        "postgresql://h/db?connect_timeout=inf",
        "host=/nonexistent",
        "sslmode=bogus",
        "port=abc host=/nonexistent",
        NO_SERVER,
        "postgres://u:secret@[::1",
    ],
}
RECOMMEND_VALUES: dict[str, list[str | None]] = {
    "shape": ["bogus", "", "objects,dicts", None],
    "rows": ["0", "-5", "abc", "1e300", "1e13", "inf", "nan", "", HUGE, "1.5", None],
    "correctness": ["bogus", "", "3", None],
    "frequency": ["weekly", "", "daily hourly", None],
    "budget_s": ["0", "-1", "abc", "nan", "inf", "1e300", "604801", ""],
    "rtt_ms": ["-1", "60001", "abc", "nan", "inf", "", "1e400"],
}

# --- bad files ----------------------------------------------------------------------------

HEAD = '[profile]\nname = "p"\ncreated = "2026-01-01T00:00:00+00:00"\nschema_version = 1\n'
WORKLOAD = '[workload]\nshape = "dicts"\nrows = 100\ncorrectness = "low"\nfrequency = "once"\n'
PLAN = {"rows": "100", "repeat": "1", "warmup": "0", "strategies": '["driver_copy"]'}


def _plan(**keys: str) -> str:
    return HEAD + "[benchmark]\n" + "".join(f"{k} = {v}\n" for k, v in (PLAN | keys).items())


BAD_PLANS = {
    "rows": ["0", "-1", "9223372036854775807", "10000001", "1e300", '"many"', "true"],
    "repeat": ["0", "101", "-1", "9000000000000000000", "1.0"],
    "warmup": ["-1", "101"],
    "batch_rows": ["0", "-1", "1000001"],
    "seed": ["18446744073709551616", "-18446744073709551616", '"42"'],
    "strategies": ["[]", '["nope"]', '["driver_copy", "driver_copy"]', '"driver_copy"', "[1]"],
    "data": ['"bogus"', "5"],
    "table": ['""', '"  "', '"a\\u0000b"'],
    "simulated_rtt_ms": ["-1", "1e9", "nan", "inf", '"x"', "true"],
    "memory": ['"yes"'],
    "ceiling": ["1"],
    "rowz": ["5"],
}
PROFILES: dict[str, str | bytes] = {
    f"plan-{key}-{i}": _plan(**{key: value})
    for key, values in BAD_PLANS.items()
    for i, value in enumerate(values)
}
PROFILES |= {
    "empty": "",
    "not-toml": "this is = = not toml",
    "no-profile": "[benchmark]\nrows = 10\n",
    "profile-not-table": "profile = 5\n",
    "unknown-section": HEAD + "[bogus]\n",
    "schema-newer": HEAD.replace("schema_version = 1", "schema_version = 99"),
    "schema-zero": HEAD.replace("schema_version = 1", "schema_version = 0"),
    "table-and-adversarial": _plan(table='"public.t"', data='"adversarial"'),
    "workload-rows-0": HEAD + WORKLOAD.replace("rows = 100", "rows = 0"),
    "workload-rows-huge": HEAD + WORKLOAD.replace("rows = 100", "rows = 10000000000000"),
    "workload-budget-0": HEAD + WORKLOAD + "budget_s = 0\n",
    "workload-budget-huge": HEAD + WORKLOAD + "budget_s = 1e9\n",
    "workload-budget-nan": HEAD + WORKLOAD + "budget_s = nan\n",
    "workload-rtt-negative": HEAD + WORKLOAD + "rtt_ms = -1\n",
    "workload-rtt-huge": HEAD + WORKLOAD + "rtt_ms = 1e6\n",
    "workload-shape": HEAD + WORKLOAD.replace('"dicts"', '"bogus"'),
    "workload-missing": HEAD + WORKLOAD.replace('frequency = "once"\n', ""),
    "recommendation-alone": HEAD + '[recommendation]\nstrategy = "driver_copy"\n',
    "deep-arrays": HEAD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep-tables": HEAD + "x = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n",
    "binary": b"\xff\xfe\x00[profile]\n",
    "huge": HEAD + "# " + "x" * (10 * 2**20) + "\n",
}


def _bench_document() -> dict[str, Any]:
    """A valid `advisor bench --json` document, for the bad ones to start from."""
    environment = Environment(
        advisor="0.1.0",
        python="3.11",
        platform="Linux",
        cpu_count=2,
        psycopg="3.2",
        libpq="16.0",
        sqlalchemy="2.0",
        server_version="16.4",
        target="embedded",
        target_description="embedded PostgreSQL 16.4",
    )
    result = StrategyResult("driver_copy", "driver", "tuples", 1000, [0.01], runs_verified=[True])
    plan = BenchPlan(rows=1000)
    return BenchReport(plan, environment, "2026-01-01", results=[result]).to_dict()


def _bench_file(change: Callable[[dict[str, Any]], object]) -> str:
    document = _bench_document()
    change(document)
    return json.dumps(document)


def _result(**keys: object) -> Callable[[dict[str, Any]], object]:
    return lambda d: d["results"][0].update(keys)


def _plan_key(**keys: object) -> Callable[[dict[str, Any]], object]:
    return lambda d: d["plan"].update(keys)


BENCH_FILES: dict[str, str | bytes] = {
    "empty": "",
    "not-json": "{not json",
    "array": "[]",
    "number": "1",
    "string": '"x"',
    "null": "null",
    "other-tool": '{"tool": "something else"}',
    "deep": "[" * 100_000,
    "deep-objects": '{"a": ' * 100_000,
    "binary": b"\xff\xfe\x00",
    "huge": " " * (10 * 2**20 + 1) + "{}",
    "results-not-list": _bench_file(lambda d: d.update(results=5)),
    "runs-text": _bench_file(_result(runs_s=["a"])),
    "runs-infinite": _bench_file(_result(runs_s=[float("inf")])),
    "runs-huge": _bench_file(_result(runs_s=[1e300])),
    "rows-infinite": _bench_file(_result(rows=float("inf"))),
    "rows-huge": _bench_file(_result(rows=10**400)),
    "rows-text": _bench_file(_result(rows="10")),
    "sweep-volumes": _bench_file(lambda d: d.update(kind="sweep", volumes=["x"], points=[])),
    "simulated-text": _bench_file(_plan_key(simulated_rtt_ms="x")),
    "simulated": _bench_file(_plan_key(simulated_rtt_ms=10)),
    "environment-list": _bench_file(lambda d: d.update(environment=[])),
    "nothing-verified": _bench_file(_result(problem="stored 0 rows, expected 1000")),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, content in PROFILES.items():
        path = folder / f"{name}.toml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for name, content in BENCH_FILES.items():
        path = folder / f"{name}.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    for name in ("fifo.toml", "fifo.json", "listing/fifo.toml"):
        (folder / name).parent.mkdir(exist_ok=True)
        os.mkfifo(folder / name)
    for name in ("dir.toml", "dir.json"):
        (folder / name).mkdir()
    (folder / "exists.toml").write_text(HEAD)
    (folder / "plain.txt").write_text("not a directory")
    (folder / "no-table.toml").write_text(_plan(table='"public.no_such_table"'))
    return folder


# --- the corpus ---------------------------------------------------------------------------


def _corpus() -> Iterator[Case]:
    for option, values in BENCH_VALUES.items():
        for value in values:
            yield Case(("bench", *QUICK, option, value))
    yield from (
        Case(("bench", "--sweep", "10..1k", "--points", value))
        for value in ("1", "0", "13", "abc", HUGE, "-2", "")
    )
    yield from (
        Case(("bench", *args))
        for args in (
            ("--points", "3"),
            ("--sweep", "10..1k", "--rows", "10"),
            ("--sweep", "10..1k", "--save", "{files}/new.toml"),
            ("--json", "{files}/same.out", "--markdown", "{files}/same.out"),
            ("--json", "-", "--markdown", "-"),
            ("--table", "public.t", "--data", "adversarial"),
            ("--bogus",),
            ("--rows",),
            ("--no-chart=1",),
            ("extra",),
            ("--rtt-ms", "5", "--rtt-ms", "abc"),
        )
    )
    for key, answers in RECOMMEND_VALUES.items():
        for answer in answers:
            yield Case(("recommend", *_etl(**{key: answer})))
    for name in BENCH_FILES:
        yield Case(("recommend", *_etl(), "--from-bench", f"{{files}}/{name}.json"))
    for path in ("/nonexistent/b.json", "{files}/dir.json", "{files}/fifo.json", "/dev/zero"):
        yield Case(("recommend", *_etl(), "--from-bench", path), message="cannot read bench file")
    yield from (
        Case(("recommend", *_etl(), *args))
        for args in (
            ("--dsn", "postgresql://x/y"),
            ("--table", "public.t"),  # no server named: the embedded one holds no tables
            ("--table", ""),
            ("--table", "t", "--dsn", "host='unterminated"),
            ("--table", "t", "--dsn", NO_SERVER),
            ("--save", "{files}/x.txt"),
            ("--save", "{files}/dir.toml"),
            ("--save", "/proc/x.toml"),
            ("--save", "{files}/exists.toml"),
            ("--json", "extra"),
            ("--bogus",),
        )
    )
    yield Case(("recommend",))
    for name in PROFILES:
        profile = f"{{files}}/{name}.toml"
        yield Case(("rerun", profile))
        yield Case((profile,))  # the app's way in: refused before the app starts
    yield from (
        Case(args)
        for args in (
            ("rerun", "/nonexistent/p.toml"),
            ("rerun", "{files}/dir.toml"),
            ("rerun", "{files}/fifo.toml"),
            ("rerun", "/dev/zero"),
            ("rerun", "/dev/null"),
            ("rerun", "{files}/exists.toml"),  # a profile without a plan
            ("rerun",),
            ("rerun", "{files}/exists.toml", "--bogus"),
            ("rerun", "{files}/plan-rows-0.toml", "--dsn", "host='unterminated"),
            ("profiles", "/nonexistent"),
            ("profiles", "{files}/plain.txt"),
            ("profiles", "/dev/null"),
            ("profiles", "a", "b"),
            ("/nonexistent/p.toml",),
            ("{files}/dir.toml",),
            ("{files}/fifo.toml",),
            ("/dev/zero.toml",),
            ("bogus",),
            ("--bogus",),
            ("--dsn", "host='unterminated"),
            ("strategies", "--bogus"),
            ("strategies", "extra"),
        )
    )
    # Listing a directory with a FIFO among the profiles: listed as invalid, never read.
    yield Case(("profiles", "{files}/listing"), code=0, lines=0)
    # Raw bytes in argv, as a shell passes them.
    raw: tuple[tuple[str | bytes, ...], ...] = (
        ("bench", *QUICK, "--table", b"\xff\xfe"),
        ("bench", *QUICK, "--table", b"shop.\xe9"),
        ("bench", *QUICK, "--rows", b"\xff"),
        ("bench", *QUICK, "--strategies", b"driver_\xff"),
        ("bench", *QUICK, "--dsn", b"host=\xff"),
        ("bench", *QUICK, "--json", b"/proc/\xff.json"),
        ("bench", *QUICK, "--save", b"/nonexistent/\xff.toml"),
        ("bench", *QUICK, "--data", b"\xff"),
        ("bench", *QUICK, "--sweep", b"1..\xff"),
        ("recommend", *_etl(shape=None), "--shape", b"\xff"),
        ("recommend", *_etl(), "--from-bench", b"/nonexistent/\xe9.json"),
        ("recommend", *_etl(), "--rtt-ms", b"\xff"),
        ("recommend", *_etl(), "--table", b"\xff", "--dsn", NO_SERVER),
        ("rerun", b"/nonexistent/\xff.toml"),
        (b"/nonexistent/\xff.toml",),
        ("profiles", b"/nonexistent/\xff"),
        (b"\xff",),
    )
    yield from (Case(args) for args in raw)
    # The environment.
    bench = ("bench", *QUICK)
    yield from (
        Case(bench, env=((name, value),))
        for name in ("ADVISOR_DSN", "DATABASE_URL")
        for value in (
            "host='unterminated",
            "postgresql://[::1",
            "connect_timeout=abc",
            NO_SERVER,
            "host=/nonexistent",
            b"host=\xff",
        )
    )
    yield Case(("--dsn", "postgresql://x/y"), env=(("ADVISOR_DSN", "host='bad"),))
    yield Case((*bench, "--rows", "10µ"), env=(("PYTHONIOENCODING", "ascii"),))
    yield Case((*bench, "--rows", "0"), env=(("LC_ALL", "C"), ("LANG", "C")))
    yield Case((*bench, "--table", b"\xff"), env=(("LC_ALL", "C"),))
    yield Case(("profiles",), env=(("HOME", "/nonexistent"), ("XDG_DATA_HOME", None)))
    yield Case(("profiles",), env=(("XDG_DATA_HOME", "relative/dir"), ("HOME", "/nonexistent")))
    yield Case(bench, env=(("PGCONNECT_TIMEOUT", "abc"), ("ADVISOR_DSN", "host=/nonexistent")))
    ok = ("recommend", *_etl())
    for env in (
        (("PYTHONIOENCODING", "ascii"),),
        (("PYTHONIOENCODING", "latin-1"),),
        (("COLUMNS", "abc"),),
        (("COLUMNS", "0"),),
        (("COLUMNS", "-5"),),
        (("COLUMNS", "99999999999"),),
        (("LINES", "-1"),),
        (("TERM", "dumb"), ("NO_COLOR", "1")),
    ):
        yield Case(ok, code=0, lines=0, env=env)
        yield Case((*ok, "--json"), code=0, lines=0, env=env)
    yield Case(("strategies",), code=0, lines=0, env=(("PYTHONIOENCODING", "ascii"),))
    # Standard streams: no terminal, a full disk, closed streams.
    yield Case((), stdin="null", process=True, message="the app needs a terminal")
    yield Case((), stdin="tty", message="the app needs a terminal")
    yield Case((), stdin="closed", stdout="tty", message="the app needs a terminal")
    yield Case(("--dsn", "postgresql://x/y"), process=True, message="the app needs a terminal")
    yield Case(("{files}/exists.toml",), process=True, message="the app needs a terminal")
    yield Case(("{files}/plan-rows-0.toml",), stdin="tty", stdout="tty", message="rows")
    yield Case(ok, code=1, stdout="full", message="cannot write the output")
    yield Case(("strategies",), code=1, stdout="full", message="cannot write the output")
    yield Case(("--help",), code=1, stdout="full", message="cannot write the output")
    yield Case(ok, code=0, lines=0, stdout="closed")
    yield Case(("bench", "--rows", "0"), stdout="closed")
    # Reaching the server: found after connecting, still the only line.
    for table in ("public.no_such_table", "a b c", '"unterminated', "information_schema.tables"):
        yield Case(("bench", *QUICK, "--dsn", "{dsn}", "--table", table))
        yield Case(("recommend", *_etl(), "--table", table, "--dsn", "{dsn}"))
    yield Case(("rerun", "{files}/no-table.toml", "--dsn", "{dsn}"), message="not found")
    for key in ("dbname", "user"):
        yield Case(("bench", *QUICK, "--dsn", f"{{dsn+{key}=no_such}}"), message="does not exist")


CASES = list(_corpus())
PROCESS_CASES = [c for c in CASES if c.subprocess and not c.server]
INLINE_CASES = [c for c in CASES if not c.subprocess]


def _ids(cases: list[Case]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for case in cases:
        label = case.label()
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


@dataclass(frozen=True)
class Outcome:
    code: int | None  # None: still running at BOUND_S, and killed
    err: str
    seconds: float


_DSN = re.compile(r"\{dsn(?:\+(\w+)=(\w+))?\}")


def _fill(arg: str | bytes, files: Path, dsn: str) -> str | bytes:
    if isinstance(arg, bytes):
        return arg
    with_dsn = _DSN.sub(lambda m: make_conninfo(dsn, **({m[1]: m[2]} if m[1] else {})), arg)
    return with_dsn.replace("{files}", str(files))


def _spawn(case: Case, files: Path) -> Outcome:
    env: dict[str, str | bytes] = {
        k: v for k, v in os.environ.items() if k not in ("ADVISOR_DSN", "DATABASE_URL")
    }
    for name, value in case.env:
        env.pop(name, None)
        if value is not None:
            env[name] = value
    args = [sys.executable, "-m", "advisor", *(_fill(a, files, "") for a in case.args)]
    # A shell closes what must be closed (`<&-`, `>&-`): preexec_fn is unsafe with threads.
    closing = " ".join(
        r for r, how in (("<&-", case.stdin), (">&-", case.stdout)) if how == "closed"
    )
    if closing:
        args = ["/bin/sh", "-c", f'exec "$@" {closing}', "sh", *args]
    opened: list[int] = []
    ends = {"null": subprocess.DEVNULL, "pipe": subprocess.PIPE, "closed": None}
    if "tty" in (case.stdin, case.stdout):
        primary, secondary = pty.openpty()
        opened += [primary, secondary]
        ends["tty"] = secondary
    if case.stdout == "full":
        full = os.open("/dev/full", os.O_WRONLY)
        ends["full"] = full
        opened.append(full)
    start = time.monotonic()
    try:
        child = subprocess.Popen(
            args,
            cwd=files,  # no ./profiles here: `advisor profiles` looks in the data directory
            env=env,
            stdin=ends[case.stdin],
            stdout=ends[case.stdout],
            stderr=subprocess.PIPE,
        )
        try:
            _, err = child.communicate(timeout=BOUND_S)
            code: int | None = child.returncode
        except subprocess.TimeoutExpired:
            child.kill()
            _, err = child.communicate()
            code = None
    finally:
        for fd in opened:
            os.close(fd)
    return Outcome(code, err.decode(errors="replace"), time.monotonic() - start)


@pytest.fixture(scope="module")
def spawned(files: Path) -> dict[Case, Outcome]:
    """Every subprocess case, run in parallel once for the module."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = pool.map(lambda case: _spawn(case, files), PROCESS_CASES)
        return dict(zip(PROCESS_CASES, outcomes, strict=True))


def _check(case: Case, outcome: Outcome) -> None:
    assert outcome.code is not None, f"still running after {BOUND_S} s: {outcome.err[-500:]}"
    assert outcome.seconds < BOUND_S
    assert "Traceback" not in outcome.err, outcome.err
    assert outcome.code == case.code, outcome.err
    assert outcome.err.count("\n") == case.lines, outcome.err
    assert not outcome.err or outcome.err.endswith("\n"), outcome.err
    if case.code == 2:
        assert outcome.err.startswith("advisor"), outcome.err
    assert case.message in outcome.err, outcome.err


@pytest.mark.parametrize("case", PROCESS_CASES, ids=_ids(PROCESS_CASES))
def test_in_a_subprocess(case: Case, spawned: dict[Case, Outcome]) -> None:
    _check(case, spawned[case])


@pytest.mark.parametrize(
    "case",
    # A case that needs the server asks for `dsn` inside the test: the marker says so.
    [pytest.param(c, marks=pytest.mark.db if c.server else ()) for c in INLINE_CASES],
    ids=_ids(INLINE_CASES),
)
def test_in_process(
    case: Case,
    files: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ADVISOR_DSN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    dsn = request.getfixturevalue("dsn") if case.server else ""
    args = [str(_fill(a, files, dsn)) for a in case.args]
    start = time.monotonic()
    result = run_cli(capsys, *args)
    _check(case, Outcome(result.code, result.err, time.monotonic() - start))


def test_the_corpus_is_large_and_has_no_duplicates() -> None:
    assert len(CASES) >= 200
    assert len(set(CASES)) == len(CASES), "a case is listed twice"
