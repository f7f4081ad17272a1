"""One benchmark's shared state: the input feed, the clock, and one verified run at a time.

Fairness rules (the seed article's): each strategy gets rows in its native shape, built while
the clock is paused; only the insert and its commit are timed; every run starts from an empty
table (or, for upserts, from the same prefilled one: see `advisor.bench.semantics`). Honesty
rules: every run is verified against the input's checksum, and the ids that came back against
those stored; peak memory is measured in its own pass so tracing never slows a timed run.

Cost rules (the bookkeeping must not cost more than the runs): warmups and the memory pass
insert a sample of `SAMPLE_ROWS` (enough to warm connections, statement caches and code
paths; `--memory full` traces the whole volume instead); a strategy's native input is built
once and reused by its timed runs unless its insert consumes it; after a run has been
verified value for value, later runs of the same input are verified by the server's digest
of the stored rows, which must equal the verified one (see `BenchTable.server_digest`).
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from collections.abc import Iterator
from itertools import chain
from typing import Any

from advisor.bench.data.datagen import Dataset, Row
from advisor.bench.events import EventHandler, Progress, RunFinished
from advisor.bench.failures import NativeInputError, build_errors, finding_errors
from advisor.bench.semantics import Existing, returned_problem
from advisor.bench.server import Target
from advisor.bench.strategies import Strategy, create, unsupported
from advisor.bench.strategies.base import Returned
from advisor.bench.table import BenchTable
from advisor.bench.verify import Checksum, ChecksumBuilder, first_difference
from advisor.errors import BenchFailure, Cancelled, InputError, first_line
from advisor.results import BenchPlan, StrategyResult
from advisor.strategy_info import STRATEGIES

CACHE_ROWS = 250_000  # data sets up to this size are generated once and kept in memory
PROBE_ROWS = 1_000  # rows tried against a user's table's constraints before any run
SAMPLE_ROWS = 1_000  # rows of a warmup run and of the traced memory pass
DIFF_ROWS = 1_000_000  # above this a failed checksum is reported without a row-level diff


class Feed:
    """The data set's rows in batches; small sets are generated once and kept."""

    def __init__(self, dataset: Dataset, rows: int, batch_rows: int) -> None:
        self.dataset = dataset
        self.rows = rows
        self.batch_rows = batch_rows
        self._cache: list[list[Row]] | None = None
        self._expected: Checksum | None = None

    def batches(self) -> Iterator[list[Row]]:
        if self._cache is not None:
            yield from self._cache
            return
        for start in range(0, self.rows, self.batch_rows):
            yield self.dataset.rows(start, min(self.batch_rows, self.rows - start))

    def expected(self, table: BenchTable) -> Checksum:
        """The input's checksum, computed once (and the rows cached when small)."""
        if self._expected is None:
            builder = ChecksumBuilder(table.verifier.expected_key)
            cache: list[list[Row]] = []
            for batch in self.batches():
                builder.add(batch)
                if self.rows <= CACHE_ROWS:
                    cache.append(batch)
            self._cache = cache if self.rows <= CACHE_ROWS else None
            self._expected = builder.result()
        return self._expected

    @property
    def cached(self) -> bool:
        return self._cache is not None

    def all_rows(self) -> Iterator[Row]:
        for batch in self.batches():
            yield from batch


class Input:
    """What one kind of run inserts and must then find stored: the feed and, for upserts,
    the rows the table holds before it. `reference` is the server's digest of a table that
    was verified value for value after a run of this input."""

    def __init__(self, feed: Feed, existing: Existing | None, rows: int) -> None:
        self.feed = feed
        self.existing = existing
        self.rows = rows  # what the plan asks for: a feed cut short must not pass
        self.reference: Checksum | None = None

    @property
    def planned(self) -> int:
        """The rows the table must hold after a run."""
        return self.rows + (self.existing.untouched if self.existing else 0)

    def expected(self, table: BenchTable) -> Checksum:
        expected = self.feed.expected(table)
        if self.existing is not None:
            expected += self.existing.checksum(table.verifier.expected_key)
        return expected

    def expected_rows(self) -> Iterator[Row]:
        """What the table must hold after a run: the input, and the rows it does not touch."""
        untouched = self.existing.untouched_batches() if self.existing else ()
        return chain(self.feed.all_rows(), chain.from_iterable(untouched))

    def prepare_table(self, table: BenchTable, checkpoint: bool) -> None:
        """Empty the table, or for upserts fill it with the rows the input meets."""
        if self.existing is not None:
            self.existing.fill(table, self.feed.batches())
        else:
            table.reset(checkpoint=checkpoint)


class Stopwatch:
    """Accumulates time between resume() and pause()."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self._since = 0.0

    def resume(self) -> None:
        self._since = time.perf_counter()

    def pause(self) -> None:
        self.elapsed += time.perf_counter() - self._since


class Session:
    """State shared by the runs of one benchmark."""

    def __init__(
        self,
        target: Target,
        plan: BenchPlan,
        emit: EventHandler,
        cancel: threading.Event | None,
        table: BenchTable,
        feed: Feed,
    ) -> None:
        self.target, self.plan, self.emit, self.cancel = target, plan, emit, cancel
        self.table, self.feed = table, feed
        semantics = plan.semantics
        self.full = Input(feed, self._existing(plan.rows), plan.rows)
        sample = min(plan.rows, SAMPLE_ROWS)
        self.sample = (
            self.full
            if sample == plan.rows
            else Input(Feed(feed.dataset, sample, plan.batch_rows), self._existing(sample), sample)
        )
        # Not run, with the reason: an optional library missing here, or no form for the
        # plan's semantics (plain inserts are every strategy's form).
        self.unavailable = {
            sid: f"needs {missing}: {STRATEGIES[sid].install_hint}"
            for sid in plan.strategies
            if (missing := STRATEGIES[sid].missing_module()) is not None
        }
        na = [] if semantics.plain else [s for s in plan.strategies if unsupported(s, semantics)]
        self.steps = plan.total_runs - plan.runs_per_strategy * len(set(self.unavailable) | set(na))
        self.step = 0

    def _existing(self, rows: int) -> Existing | None:
        """The rows an upsert of `rows` input rows finds in the table; None for inserts."""
        semantics = self.plan.semantics
        if not semantics.upsert:
            return None
        key = tuple(self.table.names.index(k) for k in self.table.writes.key)
        return Existing(
            self.feed.dataset,
            rows,
            self.plan.batch_rows,
            semantics.conflicts,
            key,
            cache=rows <= CACHE_ROWS,
        )

    @property
    def memory_input(self) -> Input:
        return self.full if self.plan.memory_full else self.sample

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("benchmark cancelled")

    def timed_insert(
        self,
        strategy: Strategy,
        label: str,
        phase: str,
        run: int,
        runs: int,
        inputs: Input,
        *,
        trace: bool = False,
        prebuilt: list[list[Any]] | None = None,
    ) -> tuple[float, float | None, Returned | None]:
        """One run of `inputs` from an empty (or, for upserts, prefilled) table: seconds
        spent inside `insert`, with `trace` the peak Python heap (MiB) it allocated, measured
        with tracemalloc, and the ids it returned. `prebuilt`: the native input, when the
        caller keeps it across runs."""
        self.check_cancel()
        # A CHECKPOINT before a timed run keeps one started by WAL volume out of it; a warmup
        # does not need flushed buffers.
        inputs.prepare_table(self.table, checkpoint=phase == "run")
        # Input that fits in memory is built before the clock (and tracing) starts, so the
        # insert is charged neither for building it nor for GC passes over it, and a traced
        # run measures what the insert itself allocates, whatever the input shape.
        if prebuilt is None and inputs.feed.cached:
            prebuilt = self.prebuild(strategy, inputs.feed)
        gc.collect()
        watch = Stopwatch()
        total = inputs.rows

        def batches() -> Iterator[list[Any]]:
            source = inputs.feed.batches()
            ready = iter(prebuilt) if prebuilt is not None else None
            done = 0
            while True:
                watch.pause()
                self.emit(Progress(label, phase, run, runs, done, total, self.step, self.steps))
                self.check_cancel()
                rows = next(source, None)
                if rows is None:
                    watch.resume()
                    return
                batch = next(ready) if ready is not None else self.build(strategy, rows)
                done += len(rows)
                watch.resume()
                yield batch

        if trace:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
        try:
            watch.resume()
            returned = strategy.insert(batches())
            watch.pause()
            peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20 if trace else None
        finally:
            if trace:
                tracemalloc.stop()
        return watch.elapsed, peak, returned

    def prebuild(self, strategy: Strategy, feed: Feed) -> list[list[Any]]:
        gc.disable()  # building 100k instrumented ORM objects takes half as long without GC passes
        try:
            return [self.build(strategy, batch) for batch in feed.batches()]
        finally:
            gc.enable()

    def build(self, strategy: Strategy, rows: list[Row]) -> Any:
        """The strategy's native input; a value the frame cannot hold is a finding."""
        try:
            return strategy.prepare(rows)
        except build_errors() as exc:
            # The frame builders name the column; other errors are named by their type.
            what = exc if isinstance(exc, NativeInputError) else f"{type(exc).__name__}: {exc}"
            raise NativeInputError(
                f"cannot build the {strategy.info.native_input} from these rows: {what}"
            ) from exc

    def verify(
        self, inputs: Input | None = None, returned: Returned | None = None, ordered: bool = False
    ) -> tuple[bool, str | None]:
        """Compare what is stored with what must be, and with the plan's row count (and,
        when asked for, the ids that came back with those stored); the detail names the
        first difference.

        Once a run of `inputs` has been verified value for value, the server's digest of the
        stored rows (computed on the same exact forms) stands for that content: a later run
        whose digest equals it stored the same rows; any other digest is checked in full.
        """
        inputs = inputs or self.full
        planned = inputs.planned
        if inputs.reference is not None:
            digest = self.table.server_digest()
            if digest == inputs.reference and digest.count == planned:
                return self._returned_ok(inputs, returned, ordered)
        expected = inputs.expected(self.table)
        stored = self.table.stored_checksum()
        # The plan's row count too: an input cut short has a matching checksum of its own.
        if stored == expected and stored.count == planned:
            inputs.reference = self.table.server_digest()
            return self._returned_ok(inputs, returned, ordered)
        detail = f"stored {stored.count} rows, expected {expected.count}"
        if stored.count == expected.count != planned:
            detail = f"stored {stored.count} rows, the plan asks for {planned}"
        elif stored.count == expected.count:
            detail = f"all {stored.count} rows stored but content differs"
        if max(stored.count, expected.count) <= DIFF_ROWS:
            stored_rows = (row for batch in self.table.stored_batches() for row in batch)
            found = first_difference(
                inputs.expected_rows(), stored_rows, self.table.names, self.table.verifier
            )
            detail = f"{detail}: {found}" if found else detail
        return False, detail

    def _returned_ok(
        self, inputs: Input, returned: Returned | None, ordered: bool
    ) -> tuple[bool, str | None]:
        if not self.plan.semantics.returning:
            return True, None
        problem = self.returned_problem(inputs, returned, ordered)
        return problem is None, problem

    def returned_problem(
        self, inputs: Input, returned: Returned | None, ordered: bool
    ) -> str | None:
        stored_key = self.table.verifier.stored_key
        stored = (
            (content if stored_key is None else stored_key(content), generated)
            for batch in self.table.stored_generated()
            for content, generated in batch
        )
        return returned_problem(
            returned, ordered, inputs.feed.all_rows(), stored, self.table.verifier.expected_key
        )

    def finish_run(
        self, label: str, phase: str, run: int, runs: int, seconds: float, ok: bool
    ) -> None:
        self.step += 1
        self.emit(RunFinished(label, phase, run, runs, seconds, ok, self.step, self.steps))

    def probe_constraints(self) -> None:
        """Insert the first rows once (the table is emptied again), so that a constraint of
        the user's table the generated rows break is named once, before any run, rather
        than failing every strategy."""
        import psycopg

        probe = create("driver_executemany", self.target, self.table)
        rows = self.feed.dataset.rows(0, min(self.plan.rows, PROBE_ROWS))
        try:
            probe.open()
            probe.insert([probe.prepare(rows)])
        except psycopg.errors.IntegrityError as exc:
            raise InputError(self.table.violation(exc)) from None
        except psycopg.Error:
            return  # not about constraints: each strategy meets it and reports it as a finding
        finally:
            probe.close()
            self.table.reset(checkpoint=False)

    def bench_strategy(self, strategy_id: str) -> StrategyResult:
        info = STRATEGIES[strategy_id]
        plan = self.plan
        result = StrategyResult(strategy_id, info.layer.value, info.shape.value, plan.rows)
        if strategy_id in self.unavailable:
            result.unavailable = self.unavailable[strategy_id]
            return result
        result.na = unsupported(strategy_id, plan.semantics)
        if result.na is not None:
            return result  # shown with its reason; never run in a form it does not have
        memory = self.memory_input
        if plan.memory:
            result.peak_rows = memory.rows
            result.peak_includes_batch = not memory.feed.cached
        strategy = create(strategy_id, self.target, self.table)
        # The memory pass is untimed, so it serves as the first warmup run when there is one.
        schedule = [
            ("memory" if plan.memory and k == 1 else "warmup", k, plan.warmup)
            for k in range(1, plan.warmup + 1)
        ]
        schedule += [("run", k, plan.repeat) for k in range(1, plan.repeat + 1)]
        if plan.memory and plan.warmup == 0:
            schedule.append(("memory", 1, 1))
        kept: list[list[Any]] | None = None  # the timed runs' native input, when reusable
        try:
            strategy.open()
            for phase, run, runs in schedule:
                inputs = {"run": self.full, "memory": memory}.get(phase, self.sample)
                if phase == "run" and not strategy.consumes_input and self.full.feed.cached:
                    kept = kept or self.prebuild(strategy, self.full.feed)
                seconds, peak, returned = self.timed_insert(
                    strategy,
                    strategy_id,
                    phase,
                    run,
                    runs,
                    inputs,
                    trace=phase == "memory",
                    prebuilt=kept if phase == "run" else None,
                )
                ok, problem = self.verify(inputs, returned, strategy.ids_in_order)
                result.problem = result.problem or problem
                if phase == "run":
                    result.runs_s.append(seconds)
                    result.runs_verified.append(ok)
                elif phase == "warmup":
                    result.warmup_s.append(seconds)
                else:
                    result.peak_mib = peak
                self.finish_run(strategy_id, phase, run, runs, seconds, ok)
        except finding_errors() as exc:
            # A strategy that cannot take these rows is a finding to show, not a crash,
            # unless the server itself went away.
            admin = self.table.sandbox.admin
            if admin.broken or admin.closed:
                raise BenchFailure(f"lost the connection to the server: {first_line(exc)}") from exc
            message = first_line(exc)
            result.error = (
                message if isinstance(exc, NativeInputError) else f"{type(exc).__name__}: {message}"
            )
        finally:
            strategy.close()
        return result
