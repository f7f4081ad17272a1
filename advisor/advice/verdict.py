"""What a measurement says about the advice: it confirms the pick, or changes it, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from advisor.advice.recommendation import Recommendation
from advisor.units import counted
from advisor.units import format_seconds as fs


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
