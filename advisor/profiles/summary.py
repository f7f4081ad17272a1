"""A saved profile in a line of words, for the app's profile screen and its profile list."""

from __future__ import annotations

from advisor.profiles.profile import Profile
from advisor.units import format_rate


def _rate(profile: Profile, strategy: str) -> str:
    found = [r for r in profile.report.results if r.strategy == strategy] if profile.report else []
    if not found:
        return "not measured"
    return format_rate(found[0].rows_per_s) if found[0].verified else "NOT verified"


def measured_line(profile: Profile) -> str | None:
    """The recommended strategy's measured rate and the fastest one the answers allow; None
    when nothing was measured."""
    if profile.report is None:
        return None
    rec = profile.recommendation
    best = profile.best()
    fits_answers = "fits the answers" if profile.workload else "was verified"
    if best is None:
        found = f"nothing that {fits_answers} was measured"
    else:
        found = f"{best.strategy} {format_rate(best.rows_per_s)} is the fastest that {fits_answers}"
    if rec is None:
        return found
    recommended = f"{rec.strategy} {_rate(profile, rec.strategy)}"
    if best is not None and best.strategy == rec.strategy:
        return f"{recommended} — recommended, fastest that {fits_answers}"
    return f"{recommended} (recommended); {found}"
