"""Workload validation, its dict form, and the questionnaire metadata."""

from __future__ import annotations

from dataclasses import fields
from enum import StrEnum
from typing import Any

import pytest

from advisor.errors import InputError
from advisor.workload import (
    QUESTIONS,
    Correctness,
    Frequency,
    InputShape,
    Workload,
)

BASE = {"shape": "dicts", "rows": "10k", "correctness": "medium", "frequency": "daily"}


def test_parses_cli_text() -> None:
    w = Workload.from_dict(BASE | {"budget_s": "2.5", "rtt_ms": "20", "upsert": True})
    assert w == Workload(
        shape=InputShape.DICTS,
        rows=10_000,
        correctness=Correctness.MEDIUM,
        frequency=Frequency.DAILY,
        upsert=True,
        budget_s=2.5,
        rtt_ms=20.0,
    )


@pytest.mark.parametrize(
    ("text", "rows"),
    [("500", 500), ("10k", 10_000), ("2M", 2_000_000), ("1e6", 1_000_000), (750, 750)],
)
def test_rows_accept_counts(text: str | int, rows: int) -> None:
    assert Workload.from_dict(BASE | {"rows": text}).rows == rows


def test_choices_ignore_case_and_spaces() -> None:
    w = Workload.from_dict(BASE | {"shape": " CSV ", "correctness": "High"})
    assert (w.shape, w.correctness) == (InputShape.CSV, Correctness.HIGH)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shape": "objcts"}, "unknown shape 'objcts'; did you mean 'objects'?"),
        (
            {"shape": "parquet"},
            "unknown shape 'parquet' (valid: objects, dicts, tuples, csv, dataframe)",
        ),
        ({"correctness": "hihg"}, "did you mean 'high'?"),
        ({"frequency": "weekly"}, "valid: once, daily, hourly, continuous"),
        ({"rows": "0"}, "rows must be at least 1"),
        ({"rows": "-5"}, "rows must be a positive count"),
        ({"rows": "lots"}, "rows must be a positive count"),
        ({"rows": "1.5"}, "rows must be a whole number"),
        ({"budget_s": "0"}, "budget_s must be more than 0 seconds"),
        ({"budget_s": "soon"}, "budget_s must be a number"),
        ({"budget_s": "inf"}, "budget_s must be a finite number"),
        ({"rtt_ms": "-1"}, "rtt_ms must be between 0 and 1000 ms"),
        ({"rtt_ms": True}, "rtt_ms must be a number"),
        ({"returning": "yes"}, "returning must be true or false"),
        ({"rowz": 5}, "unknown workload field 'rowz'; did you mean 'rows'?"),
    ],
)
def test_bad_answers_are_one_clear_line(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as err:
        Workload.from_dict(BASE | change)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("missing", ["shape", "rows", "correctness", "frequency"])
def test_required_answers(missing: str) -> None:
    data = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(InputError, match=f"missing {missing}"):
        Workload.from_dict(data)


def test_to_dict_is_toml_ready_and_round_trips() -> None:
    w = Workload.from_dict(BASE | {"returning": True, "rtt_ms": 3})
    data = w.to_dict()
    assert "budget_s" not in data  # None is omitted: TOML has no null
    assert all(type(v) in (str, int, float, bool) for v in data.values())
    assert data["shape"] == "dicts" and data["rows"] == 10_000
    assert Workload.from_dict(data) == w


def test_questions_cover_the_workload() -> None:
    assert [q.key for q in QUESTIONS] == [f.name for f in fields(Workload)]
    for question in QUESTIONS:
        assert question.title and question.explanation and question.reason_label
    required = {q.key for q in QUESTIONS if q.required}
    assert required == {"shape", "rows", "correctness", "frequency"}


@pytest.mark.parametrize(
    ("key", "kind"),
    [("shape", InputShape), ("correctness", Correctness), ("frequency", Frequency)],
)
def test_question_choices_are_the_valid_values(key: str, kind: type[StrEnum]) -> None:
    question = next(q for q in QUESTIONS if q.key == key)
    assert [c.value for c in question.choices] == [m.value for m in kind]
    assert all(c.label and c.description for c in question.choices)
    assert question.example in [c.value for c in question.choices]
