"""Benchmark plans, reports and faulty strategies the tests build by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from advisor.results import BenchPlan, BenchReport, Environment, StrategyResult

if TYPE_CHECKING:  # the pure tests that build reports need no database library
    from advisor.bench.strategies.driver import DriverCopy

QUICK: dict[str, Any] = {"repeat": 1, "warmup": 0, "memory": False, "ceiling": False}


def quick_plan(**kw: Any) -> BenchPlan:
    """One timed run per strategy, no warmup, no memory pass, no ceiling: what a test needs
    to see a strategy insert and verify. Keywords override (`rows` included)."""
    return BenchPlan(**(QUICK | kw))


ENVIRONMENT = Environment("0", "3.11", "linux", 2, "3", "17", "2", "17", "embedded", "embedded")


def report_of(*results: StrategyResult, plan: BenchPlan | None = None) -> BenchReport:
    """A report holding `results`, as if measured on the embedded server."""
    return BenchReport(
        plan or BenchPlan(), ENVIRONMENT, "2025-01-01T00:00:00+00:00", results=list(results)
    )


Batch = list[tuple[Any, ...]]


def faulty_copy(alter: Callable[[int, Batch], Batch]) -> type[DriverCopy]:
    """`driver_copy`, but each batch (numbered from 0) goes through `alter` first: a loader
    that loses or changes what it was given, for the verifier to catch."""
    from advisor.bench.strategies.driver import DriverCopy

    class FaultyCopy(DriverCopy):
        def insert(self, batches: Iterable[Batch]) -> None:
            super().insert(alter(i, batch) for i, batch in enumerate(batches))

    return FaultyCopy


# The strategy ids, in catalog order: part of the command-line and profile contract (DESIGN.md),
# so written out here rather than read from advisor.strategy_info. The seed article's eight
# (the `sync` group), then the dataframe, async and psycopg2 groups.
STRATEGY_IDS = (
    "orm_add_all",
    "orm_bulk_save_objects",
    "orm_bulk_insert",
    "core_execute",
    "driver_executemany",
    "driver_copy",
    "driver_copy_binary",
    "driver_unnest",
    "pandas_to_sql",
    "pandas_to_sql_multi",
    "pandas_copy",
    "polars_adbc",
    "adbc_ingest",
    "async_orm_add_all",
    "async_core_execute",
    "asyncpg_executemany",
    "asyncpg_copy",
    "psycopg_async_copy",
    "psycopg2_execute_values",
    "psycopg2_copy_expert",
)
