"""What a measurement says about the advice: it confirms the pick, or changes it, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from advisor.advice.recommendation import Recommendation
from advisor.units import counted
from advisor.units import format_seconds as fs

if TYPE_CHECKING:
    from advisor.advice.estimates import Calibrated
    from advisor.results import BenchReport
    from advisor.snippets.table import SnippetTable


@dataclass(frozen=True)
class Verdict:
    confirmed: bool
    advised: str  # the pick from reference (or calibrated) figures
    measured: str  # the pick from the measurement
    measured_rows: int  # rows per run the candidates were measured at
    text: str  # one or two sentences

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verdict(before: Recommendation, after: Recommendation, measured_rows: int) -> Verdict:
    """Compare the advice before and after measuring the candidates at `measured_rows`."""
    rows = before.workload.rows
    scale = (
        f" (measured at {counted(measured_rows, 'row')}, extrapolated to {rows:,})"
        if rows > measured_rows
        else ""
    )
    estimate = {a.strategy: a.estimate_s for a in before.alternatives}
    estimate[before.strategy] = before.estimate_s
    if after.strategy == before.strategy:
        text = (
            f"The measurement confirms {after.strategy}: {fs(after.estimate_s)} per run on "
            f"this server{scale}, against {fs(before.estimate_s)} estimated before measuring."
        )
    else:
        was = next((a for a in after.alternatives if a.strategy == before.strategy), None)
        was_s = f"{fs(was.estimate_s)}" if was else "not measured"
        deciding = after.reasons[-1] if after.reasons else ""
        text = (
            f"The measurement changes the advice: {after.strategy} ({fs(after.estimate_s)} per "
            f"run{scale}) instead of {before.strategy} ({was_s}; estimated "
            f"{fs(estimate[before.strategy])}). {deciding[:1].upper()}{deciding[1:]}."
        )
    return Verdict(
        after.strategy == before.strategy, before.strategy, after.strategy, measured_rows, text
    )


def judge(
    before: Recommendation,
    report: BenchReport,
    table: SnippetTable,
    calibrated: Calibrated | None = None,
) -> tuple[Recommendation, Verdict] | None:
    """The advice recomputed from `report`, a benchmark of its candidates, with its verdict;
    None when no run verified (nothing to judge by). The strategies the benchmark left out
    are estimated from `calibrated`, this server's calibration, when there is one."""
    from advisor.advice.estimates import measurements_from_report
    from advisor.advice.rules import recommend

    measured = measurements_from_report(report)
    if not measured:
        return None
    rows, where = report.plan.rows, report.environment.target_description
    origin = f"measured now at {counted(rows, 'row')} on {where}"
    after = recommend(before.workload, measured, table, origin=origin, calibrated=calibrated)
    return after, verdict(before, after, rows)
