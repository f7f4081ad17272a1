"""Benchmark plans and reports the tests build by hand."""

from __future__ import annotations

from typing import Any

from advisor.results import BenchPlan, BenchReport, Environment, StrategyResult

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
