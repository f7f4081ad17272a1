"""`advisor bench --upsert [--conflicts] --returning` through the entry point: the table, JSON
and Markdown (n/a rows included), --table, --sweep, --rtt-ms, profiles and `rerun`, and the
one-line refusals."""

import json
import re
from pathlib import Path

import pytest

from advisor.profiles.profile import load_file
from tests.cli_util import assert_usage_error, run_cli

QUICK = ("--rows", "200", "--repeat", "1", "--warmup", "0", "--no-memory", "--no-chart")


pytestmark = pytest.mark.usefixtures("shop")  # tests/fix_shop.py


def _table_row(out: str, strategy: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(f"{strategy} "))


def test_upsert_and_returning_show_na_in_the_table_json_and_markdown(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    json_file, md_file = tmp_path / "r.json", tmp_path / "r.md"
    strategies = "orm_bulk_save_objects,driver_executemany,driver_copy"
    result = run_cli(
        capsys, "bench", *QUICK, "--upsert", "--conflicts", "0.25", "--returning",
        "--strategies", strategies, "--dsn", dsn, "--json", str(json_file), "--markdown", str(md_file),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "upserts (25% conflicts), ids returned" in result.out.splitlines()[0]
    assert _table_row(result.out, "driver_copy")[-2] == "yes"
    assert _table_row(result.out, "driver_executemany")[-2] == "yes"
    assert _table_row(result.out, "orm_bulk_save_objects")[-2:] == ["n/a", "—"]
    assert "orm_bulk_save_objects n/a for upserts (25% conflicts), ids returned: " in result.out
    assert "stale values for 50 of the input's keys (25%)" in result.out

    data = json.loads(json_file.read_text())
    assert data["plan"]["semantics"] == {"upsert": True, "conflicts": 0.25, "returning": True}
    by_id = {r["strategy"]: r for r in data["results"]}
    assert by_id["orm_bulk_save_objects"]["na"].startswith("bulk_save_objects has no ON CONFLICT")
    assert by_id["orm_bulk_save_objects"]["runs_s"] == []
    assert by_id["driver_copy"]["na"] is None and by_id["driver_copy"]["verified"]
    assert data["ceiling"] is None

    md = md_file.read_text()
    assert re.search(r"^\| orm_bulk_save_objects \| orm \|.*\| n/a \| — \|$", md, re.M), md
    assert "- orm_bulk_save_objects n/a for upserts" in md


def test_returning_on_a_users_table_returns_every_generated_column(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    json_file = tmp_path / "r.json"
    result = run_cli(
        capsys, "bench", *QUICK, "--returning", "--upsert", "--table", "shop.orders",
        "--strategies", "core_execute,driver_unnest", "--dsn", dsn, "--json", str(json_file),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "shop.orders, upserts (50% conflicts), ids returned" in result.out
    assert "ids returned (id, ticket, total)" in result.out
    results = json.loads(json_file.read_text())["results"]
    assert [r["verified"] for r in results] == [True, True]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--conflicts", "0.3"), "--conflicts needs --upsert"),
        (("--upsert", "--conflicts", "1.5"), "conflicts must be a share from 0 to 1"),
        (("--upsert", "--conflicts", "-0.1"), "conflicts must be a share from 0 to 1"),
        (("--upsert", "--conflicts", "nan"), "conflicts must be a share from 0 to 1"),
        (("--returning", "--data", "adversarial"), "--data adversarial measures plain inserts"),
    ],
)
def test_bad_semantics_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    # Refused before any server is started: no --dsn needed.
    assert_usage_error(run_cli(capsys, "bench", *QUICK, *args), "bench", message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--upsert", "--table", "shop.events"), "--upsert: shop.events has no primary key"),
        (("--returning", "--table", "shop.strict"), "--returning: the database fills in no"),
    ],
)
def test_a_table_that_cannot_do_it_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], dsn: str, args: tuple[str, ...], message: str
) -> None:
    # Found after connecting, before any run: nothing else is printed before it.
    assert_usage_error(run_cli(capsys, "bench", *QUICK, *args, "--dsn", dsn), "bench", message)


def test_a_sweep_through_the_proxy_upserts_at_every_volume(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    json_file = tmp_path / "sweep.json"
    result = run_cli(
        capsys, "bench", "--sweep", "100..300", "--points", "2", "--repeat", "1", "--warmup", "0",
        "--no-memory", "--no-chart", "--upsert", "--rtt-ms", "0", "--strategies",
        "orm_bulk_save_objects,driver_unnest", "--dsn", dsn, "--json", str(json_file),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert re.search(r"^orm_bulk_save_objects +n/a +n/a$", result.out, re.M), result.out
    points = json.loads(json_file.read_text())["points"]
    assert [p["plan"]["rows"] for p in points] == [100, 300]
    for point in points:
        assert point["plan"]["semantics"]["upsert"] and point["plan"]["simulated_rtt_ms"] == 0
        assert {r["strategy"]: r["verified"] for r in point["results"]} == {
            "orm_bulk_save_objects": False,
            "driver_unnest": True,
        }


def test_a_saved_upsert_is_rerun_as_an_upsert(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path
) -> None:
    path = tmp_path / "upsert.toml"
    result = run_cli(
        capsys, "bench", *QUICK, "--upsert", "--conflicts", "0.8", "--strategies",
        "orm_bulk_save_objects,driver_executemany", "--dsn", dsn, "--save", str(path),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "[benchmark.semantics]" in path.read_text()
    saved = load_file(path)
    assert saved.plan is not None and saved.plan.semantics.conflicts == 0.8
    assert saved.report is not None and saved.report.results[0].na is not None

    result = run_cli(capsys, "rerun", str(path), "--dsn", dsn, "--check", "--no-chart")
    assert result.code == 0, result.out + result.err  # n/a is not a failure for --check
    assert "upserts (80% conflicts)" in result.out
    assert re.search(r"^orm_bulk_save_objects +— +— +— +n/a *$", result.out, re.M), result.out
