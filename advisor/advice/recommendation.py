"""A recommendation as data: what the rules decided, JSON-ready and loadable again.

`to_dict` holds only str/int/float/bool values, lists and dicts (no None), so the same dict
can go to JSON now and into a TOML profile later; `from_dict` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from advisor.errors import InputError
from advisor.strategy_info import STRATEGIES, Layer
from advisor.tables import STANDARD
from advisor.workload import Workload


@dataclass(frozen=True)
class TradeOffs:
    safety: str
    maintenance: str
    cognitive_load: str


@dataclass(frozen=True)
class Alternative:
    strategy: str
    layer: Layer
    estimate_s: float
    usable: bool  # False: it cannot do what the answers ask (or is legacy)
    why_not: str


@dataclass(frozen=True)
class Cadence:
    """Time per year at the workload's frequency."""

    runs_per_year: int
    seconds_per_year: float
    model: str  # how the runs were counted, in words
    headroom_x: float | None = None  # continuous only: sustainable rate / arrival rate


@dataclass(frozen=True)
class Recommendation:
    workload: Workload
    layer: Layer
    strategy: str
    reasons: tuple[str, ...]
    trade_offs: TradeOffs
    warnings: tuple[str, ...]
    alternatives: tuple[Alternative, ...]
    estimate_s: float
    estimate_source: str
    per_year: Cadence
    snippet: str
    table: str = STANDARD.name  # what the snippet writes to: --table, or the standard table
    trace: tuple[str, ...] = ()  # every step of the decision; `reasons` are the deciding ones

    @property
    def title(self) -> str:
        return STRATEGIES[self.strategy].title

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer.value,
            "strategy": self.strategy,
            "title": self.title,
            "reasons": list(self.reasons),
            "trade_offs": asdict(self.trade_offs),
            "warnings": list(self.warnings),
            "estimate_s": self.estimate_s,
            "estimate_source": self.estimate_source,
            "per_year": {k: v for k, v in asdict(self.per_year).items() if v is not None},
            "alternatives": [asdict(a) | {"layer": a.layer.value} for a in self.alternatives],
            "snippet": self.snippet,
            "table": self.table,
            "trace": list(self.trace),
            "workload": self.workload.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Recommendation:
        """Inverse of `to_dict`, for saved profiles; a malformed one is an InputError."""
        try:
            return cls(
                workload=Workload.from_dict(data["workload"]),
                layer=Layer(data["layer"]),
                strategy=_known_id(data["strategy"]),
                reasons=tuple(str(r) for r in data["reasons"]),
                trade_offs=TradeOffs(**data["trade_offs"]),
                warnings=tuple(str(w) for w in data["warnings"]),
                alternatives=tuple(_alternative(a) for a in data["alternatives"]),
                estimate_s=float(data["estimate_s"]),
                estimate_source=str(data["estimate_source"]),
                per_year=Cadence(**data["per_year"]),
                snippet=str(data["snippet"]),
                table=str(data.get("table", STANDARD.name)),
                trace=tuple(str(t) for t in data.get("trace", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"invalid recommendation ({type(exc).__name__}: {exc})") from None


def _alternative(data: Mapping[str, Any]) -> Alternative:
    return Alternative(
        **(dict(data) | {"layer": Layer(data["layer"]), "strategy": _known_id(data["strategy"])})
    )


def _known_id(value: Any) -> str:
    if value not in STRATEGIES:
        raise ValueError(f"unknown strategy {value!r}")
    return str(value)
