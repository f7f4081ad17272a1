"""Decision profiles: round trip, strict loading, atomic writes, rerun and listing."""

import copy
import os
import re
from pathlib import Path

import pytest

from advisor.advice.plan import PLAN_WITHIN_X, plan_for
from advisor.advice.rules import recommend
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.errors import InputError
from advisor.profiles.profile import Profile, load_file, save_profile, to_toml
from advisor.results import BenchPlan
from advisor.strategy_info import SYNC_IDS
from advisor.workload import Workload
from tests.cli_util import assert_usage_error, run_cli
from tests.dbutil import dsn_with_password

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"
WORKLOAD = {
    "shape": "dicts",
    "rows": "20k",
    "correctness": "medium",
    "frequency": "daily",
    "upsert": True,
}


@pytest.fixture(scope="module")
def measured(target: Target) -> Profile:
    """A profile with every section, measured for real on the embedded server."""
    workload = Workload.from_dict(WORKLOAD)
    rec = recommend(workload)
    profile = Profile("nightly", workload=workload, recommendation=rec, plan=plan_for(rec))
    plan = BenchPlan(rows=400, repeat=3, warmup=1, strategies=["core_execute", "driver_copy"])
    profile.record(run_benchmark(target, plan))
    return profile


def test_round_trip_keeps_everything(measured: Profile, tmp_path: Path) -> None:
    path = save_profile(measured, tmp_path / "nightly.toml")
    loaded = load_file(path)
    assert loaded == measured
    assert to_toml(loaded) == to_toml(measured)
    text = path.read_text()
    for section in (
        "[profile]",
        "[workload]",
        "[recommendation]",
        "[benchmark]",
        "[[benchmark.results]]",
        "[benchmark.server_ceiling]",
        "[environment]",
        "[[history]]",
    ):
        assert section in text
    assert 'target = "embedded"' in text


def test_plan_for_a_recommendation_covers_its_usable_alternatives() -> None:
    rec = recommend(Workload.from_dict(WORKLOAD | {"rows": "5M"}))
    plan = plan_for(rec)
    assert rec.strategy in plan.strategies
    near = {
        a.strategy
        for a in rec.alternatives
        if a.usable and a.strategy in SYNC_IDS and a.estimate_s <= PLAN_WITHIN_X * rec.estimate_s
    }
    assert near and near <= set(plan.strategies)
    far = [a.strategy for a in rec.alternatives if a.estimate_s > PLAN_WITHIN_X * rec.estimate_s]
    assert not set(far) & set(plan.strategies), "too slow to overturn the pick"
    assert plan.recommended == rec.strategy
    assert not set(plan.strategies) - set(SYNC_IDS), "no async or psycopg2 path for sync code"
    assert plan.rows == 100_000, "a 5M-row workload is measured at the default volume"
    assert plan_for(recommend(Workload.from_dict(WORKLOAD | {"rows": 300}))).rows == 300


def _broken(measured: Profile, tmp_path: Path, edit: tuple[str, str]) -> str:
    text = to_toml(measured)
    old, new = edit
    assert re.search(old, text, re.M), old
    path = tmp_path / "broken.toml"
    path.write_text(re.sub(old, new, text, count=1, flags=re.M))
    return str(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("^repeat = 3$", "repeat = "), r"line \d+, column \d+: invalid TOML"),
        (
            ("^repeat = 3$", "repeats = 3"),
            "benchmark: unknown key 'repeats'; did you mean 'repeat'?",
        ),
        (
            ("^repeat = 3$", 'repeat = "three"'),
            "benchmark.repeat: expected an integer, got the string 'three'",
        ),
        (
            ("^schema_version = 1$", "schema_version = 2"),
            "schema_version 2 is newer than this pg-insert-advisor reads (1)",
        ),
        (
            ("^\\[workload\\]$", "[workloads]"),
            "unknown section [workloads]; did you mean 'workload'?",
        ),
        (
            ('^correctness = "medium"$', 'correctness = "meduim"'),
            "workload: unknown correctness 'meduim'; did you mean 'medium'?",
        ),
        (
            ('^strategy = "driver_copy"$', 'strategy = "driver_cpy"'),
            "unknown strategy 'driver_cpy'; did you mean 'driver_copy'?",
        ),
        (
            ("^median_s = ", "mediam_s = "),
            "benchmark.results[0]: unknown key 'mediam_s'; did you mean 'median_s'?",
        ),
        (("^cpu_count = \\d+$", 'cpu_count = "2"'), "environment.cpu_count: expected an integer"),
        (("^\\[profile\\]$", "[profiles]"), "unknown section [profiles]; did you mean 'profile'?"),
    ],
)
def test_broken_profiles_fail_with_one_clear_line(
    measured: Profile,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    message: str,
) -> None:
    path = _broken(measured, tmp_path, edit)
    with pytest.raises(InputError) as err:
        load_file(path)
    assert str(err.value).startswith(f"{path}: ")
    assert re.search(message if message.startswith("line") else re.escape(message), str(err.value))
    assert_usage_error(run_cli(capsys, "rerun", path), "rerun", path)


def test_missing_and_unreadable_files_are_input_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nope.toml")
    assert_usage_error(run_cli(capsys, "rerun", missing), "rerun", missing)
    (tmp_path / "latin1.toml").write_bytes(b'[profile]\nname = "caf\xe9"\n')
    result = run_cli(capsys, "rerun", str(tmp_path / "latin1.toml"))
    assert_usage_error(result, "rerun", "not UTF-8")


def test_a_failing_write_leaves_the_old_file_intact(
    measured: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_profile(measured, tmp_path / "keep.toml")
    before = path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)  # what the profile module renames with
    with pytest.raises(OSError, match="No space left"):
        save_profile(Profile("other"), path, force=True)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.toml"], "no temporary file is left behind"


def test_an_existing_profile_is_not_replaced_without_force(
    measured: Profile, tmp_path: Path
) -> None:
    path = save_profile(measured, tmp_path / "p.toml")
    with pytest.raises(InputError, match="already exists; use --force"):
        save_profile(Profile("other"), path)
    save_profile(Profile("other"), path, force=True)
    assert load_file(path).name == "other"


def test_recommend_save_then_rerun_update_builds_a_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dsn: str
) -> None:
    path = tmp_path / "etl.toml"
    args = ["--shape", "tuples", "--rows", "300", "--correctness", "low", "--frequency", "hourly"]
    assert run_cli(capsys, "recommend", *args, "--save", str(path)).code == 0
    saved = load_file(path)
    assert saved.report is None and saved.plan is not None and saved.plan.rows == 300

    first = run_cli(capsys, "rerun", str(path), "--dsn", dsn, "--update", "--no-chart")
    assert first.code == 0, first.err
    assert "first measurement" in first.out
    assert first.err.endswith(f"updated {path} (1 measurement in its history)\n")
    assert len(load_file(path).history) == 1

    second = run_cli(capsys, "rerun", str(path), "--dsn", dsn, "--update", "--no-chart")
    assert second.code == 0, second.err
    assert "saved vs new" in second.out
    assert second.err.endswith(f"updated {path} (2 measurements in its history)\n")
    assert saved.plan.strategies, "the plan names what to measure"
    for sid in saved.plan.strategies:
        assert re.search(rf"^{sid} +\S+ +\S+ +\d+\.\d\d×", second.out, re.M), sid
    again = load_file(path)
    assert len(again.history) == 2
    assert again.report is not None and again.report.started == again.history[-1].date

    refused = run_cli(capsys, "recommend", *args, "--save", str(path))
    assert refused.code == 2 and "already exists" in refused.err


def saved_faster(measured: Profile, path: Path, **faster: float) -> Path:
    """`measured` saved as if the strategies (and the "ceiling") named had run that many
    times faster."""
    assert measured.report is not None and measured.report.ceiling is not None
    fast = Profile(
        measured.name, workload=measured.workload, recommendation=measured.recommendation
    )
    fast.record(copy.deepcopy(measured.report))
    assert fast.report is not None and fast.report.ceiling is not None
    for saved in (*fast.report.results, fast.report.ceiling):
        name = getattr(saved, "strategy", "ceiling")
        saved.runs_s = [s / faster.get(name, 1) for s in saved.runs_s]
    return save_profile(fast, path)


def test_rerun_check_fails_on_a_regression_seen_twice(
    measured: Profile, tmp_path: Path, capsys: pytest.CaptureFixture[str], dsn: str
) -> None:
    # driver_copy "saved" 100 times faster than possible; core_execute and the ceiling as
    # they were: the machine as it was, driver_copy slower than the others beside it
    path = saved_faster(measured, tmp_path / "fast.toml", driver_copy=100)
    result = run_cli(capsys, "rerun", str(path), "--dsn", dsn, "--check", "--no-chart")
    assert result.code == 1
    assert re.search(r"^driver_copy .* \d+% slower \(again: 0\.\d\d×\)", result.out, re.M)
    assert "measuring again: driver_copy" in result.err
    assert "note: one saved measurement to compare with" in result.err


def test_rerun_judges_each_strategy_against_the_machine_s_own_drift(
    measured: Profile, tmp_path: Path, capsys: pytest.CaptureFixture[str], dsn: str
) -> None:
    # Saved on a machine 25 times faster: every strategy and the ceiling 25x slower now,
    # the machine's doing. (Whether the small leftover differences of 400-row runs are
    # flagged is for tests/test_compare.py, with figures that do not drift.)
    path = saved_faster(
        measured, tmp_path / "fast.toml", ceiling=25, core_execute=25, driver_copy=25
    )
    result = run_cli(capsys, "rerun", str(path), "--dsn", dsn, "--check", "--no-chart")
    assert result.code in (0, 1), result.err
    assert re.search(r"new/saved +÷ machine", result.out), result.out
    judged = re.findall(
        r"^(core_execute|driver_copy) .* 0\.[01]\d× +(\d+\.\d\d)×", result.out, re.M
    )
    # Against the machine each is near 1x, far from the 0.0x measured (400-row runs of a
    # loaded machine vary up to 2-3x, hence the wide band).
    assert len(judged) == 2 and all(0.15 < float(x) < 7 for _, x in judged), result.out
    assert re.search(
        r"^machine: 0\.[01]\d×, the median new/saved of 3 measurements", result.out, re.M
    )
    assert "slower than when saved" in result.out


def test_a_password_never_lands_in_a_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: Target
) -> None:
    secret_dsn = dsn_with_password(target, "S3cretPw")
    path = tmp_path / "pw.toml"
    result = run_cli(
        capsys,
        "bench",
        "--rows",
        "200",
        "--repeat",
        "1",
        "--warmup",
        "0",
        "--strategies",
        "driver_copy",
        "--dsn",
        secret_dsn,
        "--save",
        str(path),
        "--no-chart",
    )
    assert result.code == 0, result.err
    updated = run_cli(capsys, "rerun", str(path), "--dsn", secret_dsn, "--update", "--no-chart")
    assert updated.code == 0, updated.err
    assert "S3cretPw" not in path.read_text() + result.out + result.err + updated.out + updated.err


def test_profiles_lists_valid_and_invalid_files(
    measured: Profile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_profile(measured, tmp_path / "nightly.toml")
    save_profile(Profile("bare"), tmp_path / "bare.toml")
    (tmp_path / "junk.toml").write_text("[profile\n")
    result = run_cli(capsys, "profiles", str(tmp_path))
    assert result.code == 0
    lines = result.out.splitlines()
    nightly = next(line for line in lines if line.startswith("nightly"))
    assert measured.recommendation is not None and measured.recommendation.strategy in nightly
    best = measured.best()
    assert best is not None and best.strategy in nightly and "rows/s" in nightly
    assert any(line.startswith("bare") and "not measured" in line for line in lines)
    assert any(line.startswith("junk") and "INVALID" in line and "line 1" in line for line in lines)


def test_every_shipped_profile_loads_and_was_measured() -> None:
    files = sorted(PROFILES_DIR.glob("*.toml"))
    assert len(files) >= 3
    for path in files:
        profile = load_file(path)
        assert profile.workload is not None and profile.recommendation is not None, path
        assert profile.report is not None and profile.history, f"{path} was never measured"
        assert profile.report.results, path
        assert all(r.verified for r in profile.report.results), path
