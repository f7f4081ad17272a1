"""The benchmark engine on a real (embedded) PostgreSQL."""

import gc
import math
import threading
from typing import Any

import pytest

from advisor.bench import ceiling
from advisor.bench.events import Event, Progress, RunFinished, StrategyFinished
from advisor.bench.runner import run_benchmark
from advisor.bench.server import Sandbox, Target
from advisor.bench.session import SAMPLE_ROWS
from advisor.bench.strategies import IMPLEMENTATIONS
from advisor.bench.table import BenchTable
from advisor.errors import Cancelled
from advisor.results import BenchPlan
from advisor.strategy_info import SYNC_IDS
from advisor.tables import STANDARD
from tests.dbutil import sandbox_exists, user_objects, wait_for_no_connections
from tests.plans import Batch, faulty_copy, quick_plan


def _plan(**kw: Any) -> BenchPlan:
    return quick_plan(**({"rows": 600} | kw))


def test_every_strategy_inserts_and_verifies_over_several_batches(target: Target) -> None:
    before = user_objects(target)
    # 1,234 rows in batches of 500: three batches, the last one partial.
    report = run_benchmark(target, _plan(rows=1_234, batch_rows=500, repeat=2, warmup=1))
    assert [r.strategy for r in report.results] == list(SYNC_IDS)
    for r in report.results:
        assert r.error is None, r.error
        assert r.verified, (r.strategy, r.problem)
        assert len(r.runs_s) == 2 and len(r.warmup_s) == 1
        assert r.runs_verified == [True, True]
        assert r.min_s <= r.median_s <= r.max_s
        assert r.rows_per_s == pytest.approx(1_234 / r.median_s)
    assert user_objects(target) == before, "nothing may be left outside or inside the sandbox"
    assert not sandbox_exists(target)


def test_memory_pass_measures_every_strategy_and_replaces_the_first_warmup(target: Target) -> None:
    events: list[Event] = []
    report = run_benchmark(
        target,
        _plan(rows=2_000, warmup=2, memory=True, strategies=["orm_add_all", "driver_copy"]),
        events.append,
    )
    phases = [(e.label, e.phase) for e in events if isinstance(e, RunFinished)]
    assert phases == [
        ("orm_add_all", "memory"),
        ("orm_add_all", "warmup"),
        ("orm_add_all", "run"),
        ("driver_copy", "memory"),
        ("driver_copy", "warmup"),
        ("driver_copy", "run"),
    ]
    orm, copy = report.results
    assert orm.peak_mib is not None and copy.peak_mib is not None
    assert orm.peak_mib > copy.peak_mib > 0, "the unit of work needs more memory than COPY"
    assert len(orm.warmup_s) == 1, "the memory pass is not reported as a timed warmup"


def test_memory_pass_runs_separately_without_warmup(target: Target) -> None:
    events: list[Event] = []
    run_benchmark(target, _plan(memory=True, strategies=["driver_copy"]), events.append)
    assert [e.phase for e in events if isinstance(e, RunFinished)] == ["run", "memory"]


def _drop_the_first_row(i: int, batch: Batch) -> Batch:
    return batch[1:] if i == 0 else batch


def _change_the_fifth_name(i: int, batch: Batch) -> Batch:
    if i > 0:
        return batch
    fifth = batch[4]
    return [*batch[:4], (fifth[0], fifth[1] + "!", *fifth[2:]), *batch[5:]]


def test_a_strategy_that_drops_a_row_is_unverified(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, "driver_copy", faulty_copy(_drop_the_first_row))
    (result,) = run_benchmark(target, _plan(strategies=["driver_copy"], repeat=2)).results
    assert not result.verified
    assert result.runs_verified == [False, False]
    assert result.problem is not None
    assert "stored 599 rows, expected 600" in result.problem
    assert "input row 1" in result.problem


def test_a_strategy_that_alters_a_value_is_unverified_with_the_value(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(IMPLEMENTATIONS, "driver_copy", faulty_copy(_change_the_fifth_name))
    (result,) = run_benchmark(target, _plan(strategies=["driver_copy"])).results
    assert not result.verified
    assert result.problem is not None
    assert "content differs" in result.problem
    assert "input row 5, column 'name'" in result.problem
    assert "!'" in result.problem


def test_the_ceiling_is_measured_and_verified_from_a_server_file(target: Target) -> None:
    report = run_benchmark(
        target, _plan(rows=3_000, repeat=2, ceiling=True, strategies=["driver_copy_binary"])
    )
    assert report.ceiling is not None
    assert report.ceiling.method == ceiling.SERVER_FILE
    assert report.ceiling.verified
    assert len(report.ceiling.runs_s) == 2
    (binary,) = report.results
    # the same 3,000 rows both ways: the share of the ceiling is the inverse ratio of the times
    assert report.pct_of_ceiling(binary) == pytest.approx(
        100 * report.ceiling.median_s / binary.median_s
    )


def test_the_ceiling_falls_back_to_insert_select_on_a_remote_server(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Target, "is_local", property(lambda self: False))
    report = run_benchmark(target, _plan(rows=1_000, ceiling=True, strategies=["driver_copy"]))
    assert report.ceiling is not None
    assert report.ceiling.method == ceiling.STAGING
    assert report.ceiling.verified
    assert not sandbox_exists(target)


def test_cancel_stops_between_batches_and_cleans_up(target: Target) -> None:
    cancel = threading.Event()
    seen: list[Event] = []

    def on_event(event: Event) -> None:
        seen.append(event)
        if isinstance(event, Progress) and event.rows_done >= 1_000:
            cancel.set()

    with pytest.raises(Cancelled):
        run_benchmark(
            target, _plan(rows=3_000, batch_rows=500, strategies=["core_execute"]), on_event, cancel
        )
    done = [e.rows_done for e in seen if isinstance(e, Progress)]
    assert cancel.is_set() and done and max(done) < 3_000, "cancelled inside the run"
    assert not any(isinstance(e, StrategyFinished) for e in seen)
    assert not sandbox_exists(target)
    wait_for_no_connections(target)


def test_an_interrupt_in_the_middle_of_a_run_leaves_nothing_behind(target: Target) -> None:
    before = user_objects(target)

    def on_event(event: Event) -> None:
        if isinstance(event, Progress) and event.label == "orm_add_all" and event.rows_done > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_benchmark(
            target, _plan(rows=2_000, batch_rows=500, strategies=["orm_add_all"]), on_event
        )  # raised by on_event only: the run had started
    assert not sandbox_exists(target)
    assert user_objects(target) == before
    wait_for_no_connections(target)


def test_a_run_that_differs_after_verified_ones_is_caught_by_the_digest(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs after the first verified one are checked by the server's digest: a later run
    that stores one value a last bit off must still fail, and name the value."""
    runs: list[int] = []

    def third_run_off_by_a_bit(i: int, batch: Batch) -> Batch:
        if i == 0:
            runs.append(1)
        if len(runs) != 3 or i > 0:
            return batch
        first = batch[0]
        score = math.nextafter(first[3], math.inf)
        return [(*first[:3], score, *first[4:]), *batch[1:]]

    monkeypatch.setitem(IMPLEMENTATIONS, "driver_copy", faulty_copy(third_run_off_by_a_bit))
    (result,) = run_benchmark(target, _plan(strategies=["driver_copy"], repeat=4)).results
    assert result.runs_verified == [True, True, False, True]
    assert result.problem is not None
    assert "input row 1, column 'score'" in result.problem


def test_memory_is_measured_on_a_sample_and_says_so(target: Target) -> None:
    sampled = run_benchmark(target, _plan(rows=2_500, memory=True, strategies=["driver_copy"]))
    (result,) = sampled.results
    assert result.peak_rows == SAMPLE_ROWS and result.peak_mib is not None
    assert any(f"inserting {SAMPLE_ROWS:,} rows allocates" in note for note in sampled.notes)
    full = run_benchmark(
        target, _plan(rows=2_500, memory=True, memory_full=True, strategies=["driver_copy"])
    )
    assert full.results[0].peak_rows == 2_500
    assert not any("on a sample" in note for note in full.notes)


def test_the_ceiling_falls_back_to_insert_select_when_the_server_cannot_see_the_file(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when the server runs in a container: its first load of our file fails."""

    def unseen_file(session: Any, tmp: Any) -> str:
        table = session.table
        return f"COPY {table.qualified} FROM '/nonexistent/advisor/rows.bin' (FORMAT BINARY)"

    monkeypatch.setattr(ceiling, "_server_file_sql", unseen_file)
    report = run_benchmark(target, _plan(rows=1_000, ceiling=True, strategies=["driver_copy"]))
    assert report.ceiling is not None
    assert report.ceiling.method == ceiling.STAGING
    assert report.ceiling.verified and len(report.ceiling.runs_s) == 1
    assert not sandbox_exists(target)


def test_the_memory_sample_is_built_before_tracing(target: Target) -> None:
    """The traced sample's input is built before tracing starts, as the full volume's is:
    its figure is what the insert allocates, not marked as including a batch."""
    (result,) = run_benchmark(
        target, _plan(rows=60_000, memory=True, strategies=["driver_copy"])
    ).results
    assert result.peak_rows == SAMPLE_ROWS and not result.peak_includes_batch


def test_the_orm_and_core_see_the_standard_table_keyed_as_their_snippets_declare_it(
    target: Target,
) -> None:
    """The ORM's class (declared in its snippet) keys the columns by plain str; Core's Table
    (`Column("id", ...)` in its snippet) by SQLAlchemy's quoted_name. A dict keyed by
    quoted_name is tracked by the garbage collector and slower to look up: the ORM's flush
    and Core's parameters make one per row (orm_add_all ran at 0.92 of a hand-written class
    with the Table's keys; core_execute at 1.03-1.09 of a hand-written Table with plain ones)."""
    import sqlalchemy as sa

    declared = sa.Table("t", sa.MetaData(), *(sa.Column(c.name, sa.Text) for c in STANDARD.columns))
    names = [c.name for c in STANDARD.columns]
    with Sandbox(target) as sandbox:
        table = BenchTable(sandbox, STANDARD)
        table.create()
        orm = {c.key: 0 for c in table.orm_table.c}
        core = {c.key: 0 for c in table.sa_table.c}
        assert list(orm) == list(core) == names
        assert not gc.is_tracked(orm)
        assert gc.is_tracked(core) == gc.is_tracked({c.key: 0 for c in declared.c}) is True
        assert [type(c.key) for c in table.sa_table.c] == [type(c.key) for c in declared.c]
