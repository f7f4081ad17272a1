"""What a benchmark is asked to do and what it measured: plain data, JSON-ready."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from advisor.errors import InputError
from advisor.limits import (
    MAX_BATCH_ROWS,
    MAX_BENCH_ROWS,
    MAX_REPEAT,
    MAX_RTT_MS,
    MAX_WARMUP,
    SEED_RANGE,
)
from advisor.strategy_info import STRATEGIES, SYNC_IDS, suggest
from advisor.tables import check_table_name

DATA_SETS = ("standard", "adversarial")


@dataclass
class Semantics:
    """What each run does beyond inserting into an empty table."""

    upsert: bool = False  # INSERT ... ON CONFLICT DO UPDATE (or the strategy's own way)
    conflicts: float = 0.5  # with upsert: the share of input keys already in the table
    returning: bool = False  # the generated ids come back to Python

    @property
    def plain(self) -> bool:
        return not (self.upsert or self.returning)

    def describe(self) -> str:
        """`upserts (50% conflicts), ids returned`, or `plain inserts`."""
        kinds = [f"upserts ({self.conflicts:.0%} conflicts)"] if self.upsert else []
        kinds += ["ids returned"] if self.returning else []
        return ", ".join(kinds) or "plain inserts"


@dataclass
class BenchPlan:
    rows: int = 100_000
    repeat: int = 3
    warmup: int = 1
    strategies: list[str] = field(default_factory=lambda: list(SYNC_IDS))
    data: str = "standard"
    table: str | None = None
    memory: bool = True
    # The memory pass traces the whole volume instead of a sample (see bench.session).
    memory_full: bool = False
    ceiling: bool = True
    seed: int = 42
    batch_rows: int = 50_000  # rows per batch; a run is one transaction over all batches
    # Round trip added by a loopback proxy that every connection goes through (0: the proxy's
    # own cost); None: direct connections.
    simulated_rtt_ms: float | None = None
    semantics: Semantics = field(default_factory=Semantics)
    recommended: str | None = None  # the advice's pick, when the plan came from a workload

    @property
    def runs_per_strategy(self) -> int:
        """Warmups and timed runs, plus the memory pass when no warmup can double as it."""
        return self.warmup + self.repeat + (1 if self.memory and self.warmup == 0 else 0)

    @property
    def measures_ceiling(self) -> bool:
        """The ceiling is the server's own COPY into an empty table: a reference for plain
        inserts only, not for upserts or returned ids."""
        return self.ceiling and self.semantics.plain

    @property
    def total_runs(self) -> int:
        """Every run of the benchmark, the ceiling's included: the progress bar's length."""
        ceiling = self.warmup + self.repeat if self.measures_ceiling else 0
        return self.runs_per_strategy * len(self.strategies) + ceiling

    def check(self, where: str = "") -> None:
        """Refuse a plan that cannot run as asked, as one line naming the field (after
        `where`, e.g. "benchmark."), wherever it came from: options, a profile, the app. The
        runner checks again, as a plan may be changed after it is made."""
        ranges = (
            ("rows", 1, MAX_BENCH_ROWS),
            ("repeat", 1, MAX_REPEAT),
            ("warmup", 0, MAX_WARMUP),
            ("batch_rows", 1, MAX_BATCH_ROWS),
            ("seed", *SEED_RANGE),
        )
        for name, low, high in ranges:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InputError(
                    f"{where}{name} must be a whole number from {low:,} to {high:,}, not {value!r}"
                )
        for name in ("memory", "memory_full", "ceiling"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{where}{name} must be true or false")
        if not self.strategies:
            raise InputError(f"{where}strategies: at least one strategy is needed")
        for i, sid in enumerate(self.strategies):
            if sid not in STRATEGIES:
                hint = suggest(str(sid), list(STRATEGIES))
                raise InputError(f"{where}strategies[{i}]: unknown strategy {sid!r}{hint}")
            if sid in self.strategies[:i]:
                raise InputError(f"{where}strategies[{i}]: {sid!r} is listed twice")
        if self.data not in DATA_SETS:
            raise InputError(
                f"{where}data: expected one of {', '.join(DATA_SETS)}, got {self.data!r}"
            )
        if self.table is not None:
            try:
                check_table_name(self.table)
            except InputError as exc:
                raise InputError(f"{where}table: {exc}") from None
            if self.data != "standard":
                raise InputError(
                    f"{where}table and data {self.data!r} cannot be combined: a table's rows"
                    " are generated from its own column types"
                )
        if self.simulated_rtt_ms is not None:
            rtt = self.simulated_rtt_ms
            if isinstance(rtt, bool) or not isinstance(rtt, int | float):
                raise InputError(f"{where}simulated_rtt_ms must be a number, not {rtt!r}")
            if not 0 <= rtt <= MAX_RTT_MS:  # also refuses NaN
                raise InputError(
                    f"{where}simulated_rtt_ms: a round trip must be from 0 to {MAX_RTT_MS:g} ms,"
                    f" not {rtt:g}"
                )
        conflicts = self.semantics.conflicts
        if isinstance(conflicts, bool) or not isinstance(conflicts, int | float):
            raise InputError(f"{where}semantics.conflicts must be a number, not {conflicts!r}")
        if not 0 <= conflicts <= 1:
            raise InputError(f"{where}semantics.conflicts must be from 0 to 1, not {conflicts:g}")
        if self.data != "standard" and not self.semantics.plain:
            raise InputError(
                f"--data {self.data} measures plain inserts only (its rows test what loaders"
                f" break on): benchmark {self.semantics.describe()} on the standard data or"
                " --table"
            )


# What `Timings.stats` exports beside the runs (each a property of Timings).
DERIVED_STATS = ("median_s", "min_s", "max_s", "stdev_s", "iqr_s", "cv", "outliers", "rows_per_s")


class Timings:
    """Statistics over the timed runs of one measurement."""

    rows: int
    runs_s: list[float]

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s) if self.runs_s else float("nan")

    @property
    def min_s(self) -> float:
        return min(self.runs_s) if self.runs_s else float("nan")

    @property
    def max_s(self) -> float:
        return max(self.runs_s) if self.runs_s else float("nan")

    @property
    def stdev_s(self) -> float:
        return statistics.stdev(self.runs_s) if len(self.runs_s) > 1 else 0.0

    @property
    def iqr_s(self) -> float:
        """Interquartile range of the runs (0 with fewer than two)."""
        if len(self.runs_s) < 2:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.runs_s, n=4, method="inclusive")
        return q3 - q1

    @property
    def cv(self) -> float:
        """Coefficient of variation: standard deviation over the mean (0 with one run)."""
        mean = statistics.fmean(self.runs_s) if self.runs_s else 0.0
        return self.stdev_s / mean if mean > 0 else 0.0

    @property
    def outliers(self) -> int:
        """Runs beyond Tukey's fences (1.5 IQR outside the quartiles); needs four runs."""
        if len(self.runs_s) < 4:
            return 0
        q1, _, q3 = statistics.quantiles(self.runs_s, n=4, method="inclusive")
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        return sum(1 for s in self.runs_s if not low <= s <= high)

    @property
    def rows_per_s(self) -> float:
        median = self.median_s
        return self.rows / median if self.runs_s and median > 0 else 0.0

    def stats(self) -> dict[str, float]:
        """The derived figures, for exports; none when nothing was timed (NaN is not JSON)."""
        if not self.runs_s:
            return {}
        return {name: getattr(self, name) for name in DERIVED_STATS}


@dataclass
class StrategyResult(Timings):
    strategy: str
    layer: str
    shape: str
    rows: int
    runs_s: list[float] = field(default_factory=list)
    warmup_s: list[float] = field(default_factory=list)
    runs_verified: list[bool] = field(default_factory=list)
    problem: str | None = None  # what the first failed verification found
    peak_mib: float | None = None  # Python heap the insert allocated, in the memory pass
    peak_rows: int | None = None  # rows the memory pass inserted: a sample, or all of them
    peak_includes_batch: bool = False  # input too large to prebuild: one batch is counted
    error: str | None = None  # the strategy could not insert the rows at all
    unavailable: str | None = None  # not run: its optional library is missing (and the fix)
    na: str | None = None  # why it has no form for the plan's semantics: not run, not failed

    @property
    def not_run(self) -> bool:
        """Shown as n/a, neither verified nor failed: its library is missing here, or it has
        no form for the plan's semantics."""
        return self.unavailable is not None or self.na is not None

    @property
    def verified(self) -> bool:
        """Every run, warmup and memory pass included, stored exactly the input."""
        return bool(self.runs_s) and self.problem is None and self.error is None


@dataclass
class CeilingResult(Timings):
    method: str
    rows: int
    runs_s: list[float] = field(default_factory=list)
    verified: bool = False
    note: str | None = None


RTT_TRIES = 20  # SELECT 1 round trips whose median is the measured round trip


@dataclass
class Environment:
    advisor: str
    python: str
    platform: str
    cpu_count: int
    psycopg: str
    libpq: str
    sqlalchemy: str
    server_version: str
    target: str  # "embedded" or host:port/dbname, never a password
    target_description: str
    rtt_ms: float | None = None  # median SELECT 1 round trip to the server, measured
    proxied_rtt_ms: float | None = None  # the same through the latency proxy
    libraries: dict[str, str] = field(default_factory=dict)  # optional ones used: versions


@dataclass
class BenchReport:
    plan: BenchPlan
    environment: Environment
    started: str  # ISO 8601
    elapsed_s: float = 0.0
    ceiling: CeilingResult | None = None
    results: list[StrategyResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the table and how it is written

    def slowest_rows_per_s(self) -> float:
        rates = [r.rows_per_s for r in self.results if r.rows_per_s > 0]
        return min(rates) if rates else 0.0

    def pct_of_ceiling(self, result: Timings) -> float | None:
        if self.ceiling is None or self.ceiling.rows_per_s <= 0 or result.rows_per_s <= 0:
            return None
        return 100.0 * result.rows_per_s / self.ceiling.rows_per_s

    def at_ceiling(self, result: Timings) -> bool:
        """Within noise of the ceiling: its runs and the ceiling's overlap (both are measured
        the same way: same rows, warmups and repeats), so neither is the faster."""
        c = self.ceiling
        if c is None or not c.runs_s or not result.runs_s:
            return False
        return result.min_s <= c.max_s and c.min_s <= result.max_s

    def to_dict(self) -> dict[str, Any]:
        slowest = self.slowest_rows_per_s()
        results = []
        for r in self.results:
            item = asdict(r) | r.stats()
            item["verified"] = r.verified
            item["x_vs_slowest"] = r.rows_per_s / slowest if slowest and r.rows_per_s else None
            item["pct_of_ceiling"] = self.pct_of_ceiling(r)
            item["at_ceiling"] = self.at_ceiling(r)
            results.append(item)
        ceiling = None if self.ceiling is None else asdict(self.ceiling) | self.ceiling.stats()
        return {
            "tool": "pg-insert-advisor",
            "started": self.started,
            "elapsed_s": self.elapsed_s,
            "plan": asdict(self.plan),
            "environment": asdict(self.environment),
            "ceiling": ceiling,
            "results": results,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchReport:
        """Inverse of `to_dict` (derived figures are recomputed, not trusted)."""
        ceiling = data.get("ceiling")
        return cls(
            plan=_plan(data["plan"]),
            environment=Environment(**_known(Environment, data["environment"])),
            started=data["started"],
            elapsed_s=data.get("elapsed_s", 0.0),
            ceiling=None if ceiling is None else CeilingResult(**_known(CeilingResult, ceiling)),
            results=[StrategyResult(**_known(StrategyResult, r)) for r in data["results"]],
            notes=list(data.get("notes", [])),
        )


@dataclass
class SweepReport:
    """One benchmark per volume, same plan otherwise (see `advisor.bench.sweep`)."""

    volumes: list[int]
    points: list[BenchReport] = field(default_factory=list)  # in volume order, as measured
    started: str = ""
    elapsed_s: float = 0.0

    def series(self) -> dict[str, list[tuple[int, float]]]:
        """Verified (rows, median seconds per run) per strategy, in plan order."""
        out: dict[str, list[tuple[int, float]]] = {}
        for point in self.points:
            for r in point.results:
                points = out.setdefault(r.strategy, [])
                if r.verified and r.median_s > 0:
                    points.append((r.rows, r.median_s))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": "pg-insert-advisor",
            "kind": "sweep",
            "started": self.started,
            "elapsed_s": self.elapsed_s,
            "volumes": self.volumes,
            "points": [point.to_dict() for point in self.points],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepReport:
        return cls(
            volumes=[int(v) for v in data["volumes"]],
            points=[BenchReport.from_dict(p) for p in data["points"]],
            started=data.get("started", ""),
            elapsed_s=data.get("elapsed_s", 0.0),
        )


def reports_from_dict(data: dict[str, Any]) -> list[BenchReport]:
    """The reports in an `advisor bench --json` document: one, or each point of a sweep."""
    if data.get("kind") == "sweep":
        return SweepReport.from_dict(data).points
    return [BenchReport.from_dict(data)]


def _plan(data: dict[str, Any]) -> BenchPlan:
    known = _known(BenchPlan, data)
    known["semantics"] = Semantics(**_known(Semantics, known.get("semantics") or {}))
    return BenchPlan(**known)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
