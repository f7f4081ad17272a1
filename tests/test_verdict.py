"""The verdict: what a measurement says about the advice, and the figures it rests on."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from advisor.advice.estimates import Measurement
from advisor.advice.rules import recommend
from advisor.advice.verdict import verdict
from advisor.profiles import calibration
from advisor.report.card import print_card
from advisor.workload import Workload

TUPLES_200K = Workload.from_dict(
    {"shape": "tuples", "rows": "200k", "correctness": "low", "frequency": "daily"}
)


def test_a_measurement_that_agrees_confirms_the_pick() -> None:
    before = recommend(TUPLES_200K)
    assert before.strategy == "driver_copy"
    agreeing = [
        Measurement("driver_executemany", 100_000, 1.0),
        Measurement("driver_copy", 100_000, 0.2),
        Measurement("driver_copy_binary", 100_000, 0.15),
    ]
    after = recommend(TUPLES_200K, agreeing, origin="measured now")
    v = verdict(before, after, 100_000)
    assert v.confirmed and v.measured == "driver_copy"
    assert v.text.startswith("The measurement confirms driver_copy")
    assert "extrapolated to 200,000" in v.text  # measured at half the volume
    assert "extrapolated from 100,000" in after.estimate_source


def test_a_measurement_that_disagrees_changes_the_pick_and_says_why() -> None:
    before = recommend(TUPLES_200K)
    close = [  # COPY barely faster here: clarity wins, executemany stays
        Measurement("driver_executemany", 200_000, 0.9),
        Measurement("driver_copy", 200_000, 0.8),
        Measurement("driver_copy_binary", 200_000, 0.7),
    ]
    after = recommend(TUPLES_200K, close, origin="measured now")
    v = verdict(before, after, 200_000)
    assert not v.confirmed and (v.advised, v.measured) == ("driver_copy", "driver_executemany")
    assert "changes the advice: driver_executemany" in v.text
    assert "clarity beats marginal gains" in v.text
    assert "extrapolated" not in v.text


def test_the_verdict_wraps_under_its_own_indent_on_the_card() -> None:
    dicts = Workload.from_dict(
        {"shape": "dicts", "rows": "20k", "correctness": "medium", "frequency": "daily"}
    )
    before = recommend(dicts)
    after = recommend(dicts, [Measurement("core_execute", 20_000, 0.558)], origin="measured now")
    v = verdict(before, after, 20_000)
    out = io.StringIO()
    print_card(after, out, v)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Verdict: confirmed"
    text = lines[1 : lines.index("")]
    assert len(text) >= 2, "long enough to wrap at 80 columns"
    assert all(line.startswith("  ") and line[2] != " " for line in text), text
    assert " ".join(line.strip() for line in text) == v.text


def test_a_calibration_round_trips_and_labels_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(calibration.DATA_DIR_ENV, str(tmp_path))
    assert calibration.load("embedded") is None
    cal = calibration.Calibration(
        "2026-11-30T10:00:00+00:00",
        "host (x86_64, 2 CPUs)",
        "embedded PostgreSQL 18.4",
        (Measurement("driver_copy", 1_000, 0.01), Measurement("driver_copy", 10_000, 0.05)),
    )
    path = calibration.save(cal, "embedded")
    assert path.parent.parent == tmp_path
    assert calibration.load("embedded") == cal
    assert calibration.load("db.example.com:5432/shop") is None, "one file per server"
    rec = recommend(TUPLES_200K, list(cal.measurements), origin=cal.origin)
    assert rec.estimate_source.startswith("calibrated on this machine, 2026-11-30")
    path.write_text("{not json")
    assert calibration.load("embedded") is None, "a damaged cache falls back, never fails"
