"""The adversarial data set goes through every strategy and comes back value for value."""

import math
from datetime import datetime
from typing import Any

import pytest

from advisor.bench import table as benchtable
from advisor.bench.data import adversarial
from advisor.bench.data.adversarial import ADVERSARIAL, SET_SIZE, AdversarialData
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Target
from advisor.bench.strategies import IMPLEMENTATIONS
from advisor.results import BenchPlan
from advisor.strategy_info import SYNC_IDS
from tests.cli_util import results_rows, run_cli
from tests.plans import Batch, faulty_copy, quick_plan


def _plan(**kw: Any) -> BenchPlan:
    return quick_plan(**({"rows": 2 * SET_SIZE + 3, "data": "adversarial"} | kw))


def test_the_set_holds_what_breaks_naive_loaders() -> None:
    text = adversarial.TEXT
    for awkward in ("\t", "\n", "\r", "\\", "\\N", "'", '"', ",", "|", "", "e\u0301", "\U0001f600"):
        assert any(awkward in s for s in text if s is not None), repr(awkward)
    assert "" in text and None in text, "empty string and NULL are both there, and distinct"
    assert any(s is not None and len(s.encode()) >= 10 * 1024 for s in text)
    assert any(s is not None and "\u202e" in s for s in text), "right-to-left override"
    doubles = [d for d in adversarial.DOUBLE if d is not None]
    for special in (math.inf, -math.inf, 1e308, 5e-324):
        assert special in doubles
    assert any(math.isnan(d) for d in doubles)
    assert any(d == 0 and math.copysign(1, d) < 0 for d in doubles), "-0.0"
    assert {-(2**63), 2**63 - 1} <= set(adversarial.BIGINT)
    years = {ts.year for ts in adversarial.TIMESTAMPTZ if isinstance(ts, datetime)}
    assert {1, 9999} <= years
    assert all(ts is None or ts.utcoffset() is not None for ts in adversarial.TIMESTAMPTZ)


def test_the_first_set_size_rows_hold_every_value_and_a_null_in_every_nullable_column() -> None:
    rows = AdversarialData().rows(0, SET_SIZE)
    assert [r[0] for r in rows] == list(range(1, SET_SIZE + 1))
    for i, column in enumerate(ADVERSARIAL.insert_columns):
        values = [r[i] for r in rows]
        assert column.nullable == (column.name != "id")
        if column.nullable:
            assert None in values, column.name
    assert [r[1] for r in rows] == list(adversarial.TEXT)
    again = AdversarialData().rows(SET_SIZE, 1)[0]
    assert again[0] == SET_SIZE + 1 and again[1] == adversarial.TEXT[0], "the set repeats"


def test_every_strategy_stores_the_adversarial_set_exactly(target: Target) -> None:
    # Several batches, and the ceiling's COPY through a server file, with every awkward value.
    report = run_benchmark(target, _plan(batch_rows=40, ceiling=True))
    assert [r.strategy for r in report.results] == list(SYNC_IDS)
    for r in report.results:
        assert r.error is None, (r.strategy, r.error)
        assert r.verified, (r.strategy, r.problem)
    assert report.ceiling is not None and report.ceiling.verified, report.ceiling


def _lose_carriage_returns(i: int, batch: Batch) -> Batch:
    """What a loader that 'normalises' line endings does, as naive CSV tools do."""
    return [(r[0], r[1].replace("\r", "") if r[1] else r[1], *r[2:]) for r in batch]


def test_a_strategy_that_loses_a_value_is_unverified_with_the_value(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, "driver_copy", faulty_copy(_lose_carriage_returns))
    (result,) = run_benchmark(target, _plan(strategies=["driver_copy"])).results
    assert result.error is None and not result.verified
    assert result.problem == (
        f"all {2 * SET_SIZE + 3} rows stored but content differs: input row 6,"
        " column 'txt': sent '\\r', stored '' (6 rows differ)"
    )


def test_sqlalchemy_storing_none_as_json_null_would_be_caught(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the reflection hook, SQLAlchemy writes the JSON value null for None.
    monkeypatch.setattr(benchtable.BenchTable, "_adjust_reflected", lambda *args: None)
    (result,) = run_benchmark(target, _plan(strategies=["core_execute"])).results
    assert not result.verified
    assert result.problem is not None
    assert "input row 1, column 'doc': sent None, stored JSON null" in result.problem


def test_bench_data_adversarial_on_the_command_line(
    capsys: pytest.CaptureFixture[str], dsn: str
) -> None:
    result = run_cli(
        capsys,
        "bench",
        "--data",
        "adversarial",
        "--rows",
        "100",
        "--repeat",
        "1",
        "--warmup",
        "0",
        "--no-memory",
        "--no-chart",
        "--strategies",
        "orm_add_all,driver_copy",
        "--dsn",
        dsn,
    )
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "adversarial data" in lines[0]
    assert lines[1].startswith(f"note: adversarial data: {SET_SIZE} rows hold every awkward value")
    rows = results_rows(result.out)
    assert set(rows) == {"orm_add_all", "driver_copy"}, result.out
    assert all("yes" in cells for cells in rows.values()), result.out
