"""`advisor recommend` through the real entry point: card, JSON contract, exit codes, --table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from advisor.advice.estimates import CONNECT_S, Measurement
from advisor.bench.server import DSN_ENV_VARS, Target
from advisor.profiles import calibration
from advisor.profiles.profile import load_file
from advisor.strategy_info import ALL_IDS, SYNC_IDS
from advisor.workload import QUESTIONS
from tests.cli_util import assert_usage_error, run_cli

ETL = ["--shape", "dicts", "--rows", "2M", "--correctness", "medium", "--frequency", "daily"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    result = run_cli(capsys, "recommend", *args)
    return result.code, result.out, result.err


def words(text: str) -> str:
    """Collapse the card's wrapping so a sentence can be found whole."""
    return re.sub(r"\s+", " ", text)


def test_card(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*ETL, "--upsert"], capsys)
    assert (code, err) == (0, "")
    card = json_twin([*ETL, "--upsert"], capsys)
    assert out.startswith(f"Recommended  {card['strategy']} — ")
    flat = words(out)
    for section in ("Why", "Trade-offs", "Warnings", "Alternatives", "Snippet"):
        assert f"\n{section}" in out
    for sentence in [*card["reasons"], *card["warnings"], *card["trade_offs"].values()]:
        assert words(sentence) in flat  # wrapped, never cut
    for alt in card["alternatives"]:
        assert words(alt["why_not"]) in flat
    assert card["snippet"].strip() in out  # the code is printed as it is, unwrapped
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert all(line == line.rstrip() for line in out.splitlines())


def test_one_row_is_one_row_on_the_card(capsys: pytest.CaptureFixture[str]) -> None:
    one = ["--shape", "dicts", "--rows", "1", "--correctness", "medium"]
    code, out, _ = run([*one, "--frequency", "daily"], capsys)
    assert code == 0
    assert "Workload     dicts, 1 row, correctness medium, daily" in out
    assert "volume: 1 row per run — " in out
    code, stream, _ = run([*one, "--frequency", "continuous"], capsys)
    assert code == 0 and "volume: 1 row per batch — " in stream
    assert "one batch of 1 row a minute" in words(stream)
    assert not re.search(r"\b1 rows\b", words(out + stream))


def json_twin(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, _ = run([*args, "--json"], capsys)
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    return data


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    data = json_twin([*ETL, "--budget-s", "30", "--rtt-ms", "2.5"], capsys)
    assert (data["layer"], data["strategy"]) == ("driver", "driver_copy"), "a multi-million load"
    assert data["reasons"] and all(isinstance(r, str) for r in data["reasons"])
    assert isinstance(data["estimate_s"], float) and data["estimate_s"] > 0
    assert set(data["trade_offs"]) == {"safety", "maintenance", "cognitive_load"}
    assert isinstance(data["warnings"], list)
    assert data["per_year"]["runs_per_year"] == 365
    assert data["per_year"]["seconds_per_year"] == pytest.approx(365 * data["estimate_s"])
    assert {a["strategy"] for a in data["alternatives"]} == set(ALL_IDS) - {data["strategy"]}
    for alt in data["alternatives"]:
        assert set(alt) == {"strategy", "layer", "estimate_s", "usable", "why_not"}
    compile(data["snippet"], "snippet", "exec")
    assert data["workload"] == {
        "shape": "dicts",
        "rows": 2_000_000,
        "correctness": "medium",
        "frequency": "daily",
        "returning": False,
        "upsert": False,
        "budget_s": 30.0,
        "rtt_ms": 2.5,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shape", "objcts", *ETL[2:]], "unknown shape 'objcts'; did you mean 'objects'?"),
        ([*ETL[:4], "--correctness", "hgh", *ETL[6:]], "unknown correctness 'hgh'"),
        ([*ETL[:6], "--frequency", "weekly"], "unknown frequency 'weekly'"),
        ([*ETL[:2], "--rows", "0", *ETL[4:]], "rows must be at least 1"),
        ([*ETL[:2], "--rows", "-3", *ETL[4:]], "rows must be a positive count"),
        ([*ETL[:2], "--rows", "many", *ETL[4:]], "rows must be a positive count"),
        (ETL[2:], "Missing option '--shape'"),
        ([*ETL, "--budget-s", "-1"], "budget_s must be more than 0"),
        ([*ETL, "--rtt-ms", "fast"], "rtt_ms must be a number"),
        ([*ETL, "--from-bench", "/nonexistent/bench.json"], "cannot read bench file"),
        ([*ETL, "--save", "/no/such/dir/x.toml"], "does not exist"),
        ([*ETL, "--save", "profile.json"], "should end in .toml"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "recommend", *args)
    assert_usage_error(result, "recommend", message)
    assert result.out == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json at all", "is not JSON"), ('{"tool": "something else"}', "is not `advisor bench")],
)
def test_bad_bench_file_is_exit_2(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bench.json"
    path.write_text(content)
    result = run_cli(capsys, "recommend", *ETL, "--from-bench", str(path))
    assert_usage_error(result, "recommend", message)
    assert result.out == ""


def test_help_explains_every_option_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    flat = words(out)
    for question in QUESTIONS:
        assert question.option in out
        assert words(f"Example: {question.option} {question.example}".rstrip()) in flat
        for choice in question.choices:
            assert f"{choice.value}: {words(choice.description)}" in flat
    for option in ("--from-bench", "--json"):
        assert option in out
    assert "Example: --from-bench results.json" in flat
    assert "Examples:" in out


# --- --table: the snippet for the user's own table (`shop`: tests/fix_shop.py) --------------


def test_table_card_names_the_table_and_its_columns(
    shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*ETL, "--upsert", "--table", "shop.orders", "--dsn", shop], capsys)
    assert (code, err) == (0, "")
    head = out.split("\n\n")[0].splitlines()
    assert head[-1] == "Table        shop.orders"
    snippet = out.split("\nSnippet\n")[1]
    for column in ("reference", "status_history", "placed_at", "raw_payload"):
        assert column in snippet
    assert "ON CONFLICT (reference)" in snippet or 'index_elements=["reference"]' in snippet
    assert "standard_rows" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_table_json_has_the_table(shop: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = json_twin([*ETL, "--returning", "--table", "shop.orders", "--dsn", shop], capsys)
    assert data["table"] == "shop.orders"
    assert "#   reference character varying(24) NOT NULL" in data["snippet"]
    assert "table.c.id, table.c.ticket, table.c.total" in data["snippet"]
    compile(data["snippet"], "snippet", "exec")
    assert json_twin(ETL, capsys)["table"] == "standard_rows"


def test_table_dsn_may_come_from_the_environment(
    shop: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISOR_DSN", shop)
    assert json_twin([*ETL, "--table", "shop.orders"], capsys)["table"] == "shop.orders"


def test_table_profile_benches_the_same_table(
    shop: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.toml"
    code, _, err = run([*ETL, "--table", "shop.orders", "--dsn", shop, "--save", str(path)], capsys)
    assert code == 0, err
    profile = load_file(path)
    assert profile.recommendation is not None and profile.recommendation.table == "shop.orders"
    assert profile.plan is not None and profile.plan.table == "shop.orders"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--table", "shop.order", "--dsn", "{dsn}"],
            "table 'shop.order' not found; did you mean 'shop.orders'?",
        ),
        (["--table", "shop.orders"], "--table needs a server: give --dsn or set ADVISOR_DSN"),
        (
            ["--table", "shop.orders", "--dsn", "postgresql://bob:s3cret@127.0.0.1:1/shop"],
            "cannot connect to 'postgresql://bob:***@127.0.0.1:1/shop'",
        ),
        (["--dsn", "{dsn}"], "--dsn is used only with --table"),
        (
            ["--returning", "--table", "shop.events", "--dsn", "{dsn}"],
            "the database fills in no column of shop.events",
        ),
    ],
)
def test_table_errors_are_one_line_and_exit_2(
    shop: str,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in DSN_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    result = run_cli(capsys, "recommend", *ETL, *(a.format(dsn=shop) for a in args))
    assert_usage_error(result, "recommend", message)
    assert result.out == ""
    assert "s3cret" not in result.err


MEASURED = ["recommend", "--shape", "tuples", "--rows", "2000", "--correctness", "low"]
MEASURED += ["--frequency", "once", "--measure"]


def test_measure_recomputes_the_advice_from_a_real_run_with_a_verdict(
    dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *MEASURED, "--dsn", dsn, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    verdict, measurement = data["verdict"], data["measurement"]
    assert verdict["advised"] == "driver_executemany"  # 2,000 tuples: clarity over COPY
    assert verdict["measured"] == data["strategy"]
    assert verdict["measured_rows"] == 2000
    assert verdict["text"].startswith(
        "The measurement " + ("confirms" if verdict["confirmed"] else "changes")
    )
    assert data["estimate_source"].startswith("measured now at 2,000 rows on ")
    measured = {r["strategy"]: r for r in measurement["results"]}
    assert data["strategy"] in measured and all(r["verified"] for r in measured.values())
    assert measurement["plan"]["recommended"] == "driver_executemany"
    assert set(measured) <= set(SYNC_IDS), "synchronous code: no async or psycopg2 path"


def test_measure_prints_the_results_then_the_card_with_the_verdict_first(
    dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *MEASURED, "--measure-rows", "1000", "--dsn", dsn)
    assert result.code == 0, result.err
    table, card = result.out.split("Verdict: ", 1)
    assert "driver_executemany ←" in table, "the advice's pick is marked in the results"
    assert card.startswith(("confirmed", "changed"))
    assert "extrapolated to 2,000" in card and "Recommended" in card


def test_measure_at_one_row_says_row_and_scales_nothing_by_it(
    dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(calibration.DATA_DIR_ENV, str(tmp_path))  # no calibration
    result = run_cli(capsys, *MEASURED, "--measure-rows", "1", "--dsn", dsn)
    assert result.code == 0, result.err
    card = words(result.out.split("Verdict: ", 1)[1])
    assert "(measured at 1 row, extrapolated to 2,000)" in card
    assert "Figures measured now at 1 row on " in card
    assert "extrapolated from 1 to 2,000 rows" in card
    # One row is all fixed cost: it says nothing of this machine's speed per row.
    assert "from reference figures, not scaled (measured below 1,000 rows, where a run" in card
    assert not re.search(r"\b1 rows\b|\de[+-]\d", card)


def test_measure_estimates_the_strategies_it_left_out_from_the_calibration(
    dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(calibration.DATA_DIR_ENV, str(tmp_path))
    points = tuple(
        Measurement(sid, rows, rows / 100_000) for sid in ALL_IDS for rows in (1_000, 10_000)
    )
    taken = calibration.Calibration("2026-11-30T10:00:00+00:00", "host", "server", points)
    calibration.save(taken, Target.resolve(dsn).location)
    data = json.loads(run_cli(capsys, *MEASURED, "--dsn", dsn, "--json").out)
    measured = {r["strategy"] for r in data["measurement"]["results"] if r["verified"]}
    source = data["estimate_source"]
    assert source.startswith("measured now at 2,000 rows on "), source
    others = len(ALL_IDS) - len(measured)
    assert source.endswith(f"; the other {others} from this machine's calibration (2026-11-30)")
    assert "reference figures" not in source
    alternatives = {a["strategy"]: a["estimate_s"] for a in data["alternatives"]}
    assert "psycopg2_execute_values" not in measured  # takes tuples: nothing to convert
    assert alternatives["psycopg2_execute_values"] == pytest.approx(2_000 / 100_000 + CONNECT_S)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measure-rows", "100"], "--measure-rows is used only with --measure"),
        (["--dsn", "postgresql://x@/db"], "--dsn is used only with --table or --measure"),
    ],
)
def test_measure_options_need_measure(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *MEASURED[:-1], *args)
    assert_usage_error(result, "recommend", message)


@pytest.mark.slow
def test_calibrate_then_recommend_estimates_from_it(
    dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path))
    result = run_cli(capsys, "calibrate", "--dsn", dsn)
    assert result.code == 0, result.err
    assert re.search(
        r"calibrated \d+ strategies in [\d.]+ s \(1,000, 10,000 rows each\)", result.out
    )
    saved = list((tmp_path / "calibration").glob("*.json"))
    assert len(saved) == 1
    monkeypatch.setenv("ADVISOR_DSN", dsn)  # the server recommend estimates for
    calibrated = json.loads(run_cli(capsys, *MEASURED[:-1], "--json").out)
    assert calibrated["estimate_source"].startswith("calibrated on this machine, ")
    monkeypatch.delenv("ADVISOR_DSN")
    plain = json.loads(run_cli(capsys, *MEASURED[:-1], "--json").out)
    # the embedded server's calibration would be another file: none, so reference figures
    assert plain["estimate_source"].startswith("reference figures")
