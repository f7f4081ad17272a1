"""Runs a benchmark plan: the sandbox, the table, the ceiling, then each strategy's runs.

The runs themselves (warmup, timed repeats, verification after every run, the memory pass)
are `advisor.bench.session`'s.
"""

from __future__ import annotations

import gc
import threading
import time
from datetime import UTC, datetime

from advisor.bench import ceiling as ceiling_mod
from advisor.bench import semantics
from advisor.bench.data.adversarial import AdversarialData
from advisor.bench.data.datagen import Dataset, KeyedStandardData, StandardData
from advisor.bench.data.typegen import TableData
from advisor.bench.environment import collect
from advisor.bench.events import BenchStarted, CeilingFinished, EventHandler, StrategyFinished
from advisor.bench.introspect import read_table
from advisor.bench.latency import simulated_distance
from advisor.bench.server import Sandbox, Target
from advisor.bench.session import SAMPLE_ROWS, Feed, Session
from advisor.bench.table import BenchTable
from advisor.results import BenchPlan, BenchReport
from advisor.strategy_info import STRATEGIES, Layer


def resolve_dataset(plan: BenchPlan, sandbox: Sandbox) -> Dataset:
    if plan.table is not None:
        return TableData(read_table(sandbox.admin, plan.table), plan.seed)
    if plan.data == "adversarial":
        return AdversarialData()
    if not plan.semantics.plain:
        return KeyedStandardData(plan.seed)
    return StandardData(plan.seed)


def strategy_notes(plan: BenchPlan) -> list[str]:
    """What a reader must know about how some of the planned strategies are measured."""
    notes = []
    if "polars_adbc" in plan.strategies:
        notes.append(
            "polars_adbc: write_database commits after every call, so its run is one "
            f"transaction per batch of up to {plan.batch_rows:,} rows (the others: one per run)"
        )
    if plan.memory and not plan.memory_full and plan.rows > SAMPLE_ROWS:
        notes.append(
            f"peak MiB is measured on a sample: the Python heap (tracemalloc) that inserting "
            f"{SAMPLE_ROWS:,} rows allocates, not {plan.rows:,} (--memory full measures the whole"
            " volume, and takes longer); warmups insert the same sample"
        )
    frames = [sid for sid in plan.strategies if STRATEGIES[sid].layer is Layer.DATAFRAME]
    if plan.memory and frames:
        notes.append(
            "peak MiB is the Python heap (tracemalloc): what pyarrow, polars and the ADBC "
            f"driver allocate outside it is not counted ({', '.join(frames)})"
        )
    return notes


def run_benchmark(
    target: Target,
    plan: BenchPlan,
    on_event: EventHandler | None = None,
    cancel: threading.Event | None = None,
) -> BenchReport:
    """Run `plan` on `target` inside the sandbox; the sandbox is dropped however it ends.

    With `plan.simulated_rtt_ms` every connection, the sandbox's included, goes through the
    latency proxy, which stops with the run.
    """
    plan.check()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.monotonic()
    emit: EventHandler = on_event or (lambda event: None)
    with simulated_distance(target, plan.simulated_rtt_ms) as work, Sandbox(work) as sandbox:
        environment = collect(target, work if work is not target else None, plan.strategies)
        report = BenchReport(plan=plan, environment=environment, started=started)
        dataset = resolve_dataset(plan, sandbox)
        semantics.check(plan.semantics, dataset.spec)
        table = BenchTable(sandbox, dataset.spec, plan.semantics)
        table.create()
        report.notes = [*table.notes, *strategy_notes(plan), *semantics.notes(plan, table)]
        feed = Feed(dataset, plan.rows, plan.batch_rows)
        session = Session(work, plan, emit, cancel, table, feed)
        if dataset.spec.source is not None:
            session.probe_constraints()
        emit(BenchStarted(plan, environment, session.steps))
        for inputs in {session.full, session.sample}:
            # Computed once, which also keeps the rows in memory (up to CACHE_ROWS): runs then
            # get their input built before the clock, and never generate it again.
            inputs.feed.expected(table)
        # What exists now (the tool's modules and caches, an app's widgets, the input rows) is
        # left out of every garbage collection from here on: the collections inside a timed
        # run then walk what the insert allocates, as in a lean process of the user's, and
        # the collection before each run costs little.
        gc.collect()
        gc.freeze()
        try:
            if plan.measures_ceiling:
                report.ceiling = ceiling_mod.measure(session)
                emit(CeilingFinished(report.ceiling))
            for strategy_id in plan.strategies:
                result = session.bench_strategy(strategy_id)
                report.results.append(result)
                emit(StrategyFinished(result))
        finally:
            gc.unfreeze()
    report.elapsed_s = time.monotonic() - t0
    return report
