"""From advice to a benchmark plan that can prove (or disprove) it."""

from advisor.advice.ladders import candidate
from advisor.advice.recommendation import Recommendation
from advisor.results import BenchPlan, Semantics
from advisor.strategy_info import ALL_IDS
from advisor.tables import STANDARD

PLAN_MAX_ROWS = 100_000  # a plan's volume cap: enough to rank, a minute or two at most
# Alternatives estimated this many times slower than the pick cannot overturn it unless the
# estimate is off by as much: measuring them would cost most of the time and prove nothing.
PLAN_WITHIN_X = 10.0


def plan_for(recommendation: Recommendation) -> BenchPlan:
    """The recommended strategy and the usable alternatives it could be swapped for (same
    family: async inside an event loop; estimated within PLAN_WITHIN_X of it), with the
    workload's semantics and distance, at its volume up to PLAN_MAX_ROWS (beyond it, figures
    are extrapolated), on the table the snippet was written for."""
    w = recommendation.workload
    slowest = PLAN_WITHIN_X * recommendation.estimate_s
    wanted = {recommendation.strategy} | {
        a.strategy
        for a in recommendation.alternatives
        if a.usable and candidate(a.strategy, w) and a.estimate_s <= slowest
    }
    return BenchPlan(
        rows=min(w.rows, PLAN_MAX_ROWS),
        strategies=[sid for sid in ALL_IDS if sid in wanted],
        table=None if recommendation.table == STANDARD.name else recommendation.table,
        semantics=Semantics(upsert=w.upsert, returning=w.returning),
        simulated_rtt_ms=w.rtt_ms or None,
        recommended=recommendation.strategy,
    )
