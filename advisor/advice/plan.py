"""From advice to a benchmark plan that can prove (or disprove) it."""

from advisor.advice.recommendation import Recommendation
from advisor.results import BenchPlan
from advisor.tables import STANDARD

PLAN_MAX_ROWS = 100_000  # the default bench volume: enough to rank, minutes at most


def plan_for(recommendation: Recommendation) -> BenchPlan:
    """The recommended strategy and its usable alternatives, at the workload's volume up to
    PLAN_MAX_ROWS (small jobs are measured at their own size: fixed costs dominate there),
    on the table the snippet was written for."""
    candidates = {recommendation.strategy} | {
        a.strategy for a in recommendation.alternatives if a.usable
    }
    plan = BenchPlan(
        rows=min(recommendation.workload.rows, PLAN_MAX_ROWS),
        table=None if recommendation.table == STANDARD.name else recommendation.table,
    )
    plan.strategies = [sid for sid in plan.strategies if sid in candidates]
    return plan
