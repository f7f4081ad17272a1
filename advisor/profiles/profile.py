"""Decision profiles: the answers, the advice, the plan and what it measured, as TOML.

Schema version 1 (documented in README.md):

    [profile]          name, created, schema_version, tool_version
    [workload]         the questionnaire's answers
    [recommendation]   layer, strategy, reasons, warnings, alternatives, estimates
    [benchmark]        the plan (rows, repeat, warmup, strategies, data, table, ...) and,
                       once measured: measured, elapsed_s, [[benchmark.results]] and
                       [benchmark.server_ceiling]
    [environment]      versions and the target ("embedded" or host:port/dbname; never a password)
    [[history]]        every measurement: date, target, rows and rows/s per strategy

Writes are atomic and never overwrite without `force`; loading is strict.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from advisor import __version__
from advisor.advice.recommendation import Recommendation
from advisor.errors import InputError
from advisor.profiles.strict import SchemaError, load, load_parts, prune
from advisor.results import (
    DERIVED_STATS,
    BenchPlan,
    BenchReport,
    CeilingResult,
    Environment,
    StrategyResult,
)
from advisor.strategy_info import STRATEGIES, suggest
from advisor.userfile import read_text
from advisor.workload import Workload

SCHEMA_VERSION = 1
PROFILE_MODE = 0o644  # rw-r--r--: see save_profile
SECTIONS = ("profile", "workload", "recommendation", "benchmark", "environment", "history")
# Figures a profile shows but recomputes from the runs when it is read.
_DERIVED = frozenset({*DERIVED_STATS, "verified", "x_vs_slowest", "pct_of_ceiling", "at_ceiling"})


@dataclass
class ProfileMeta:
    name: str
    created: str
    schema_version: int
    tool_version: str = ""


@dataclass
class Measured:
    """The [benchmark] keys that exist once the plan has been run."""

    measured: str | None = None
    elapsed_s: float | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    server_ceiling: dict[str, Any] | None = None


@dataclass
class HistoryEntry:
    date: str
    target: str
    rows: int
    rows_per_s: dict[str, float]

    @classmethod
    def of(cls, report: BenchReport) -> HistoryEntry:
        rates = {r.strategy: round(r.rows_per_s, 1) for r in report.results if r.verified}
        return cls(report.started, report.environment.target, report.plan.rows, rates)


@dataclass
class Profile:
    name: str
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    workload: Workload | None = None
    recommendation: Recommendation | None = None
    plan: BenchPlan | None = None
    report: BenchReport | None = None  # the latest measurement of `plan`
    history: list[HistoryEntry] = field(default_factory=list)

    def record(self, report: BenchReport) -> None:
        """Make `report` the current measurement and add it to the history."""
        self.plan = report.plan
        self.report = report
        self.history.append(HistoryEntry.of(report))

    def history_like(self, report: BenchReport) -> list[dict[str, float]]:
        """The rows/s of each saved measurement comparable with `report` (same rows, same
        server), oldest first: what `rerun` weighs a new measurement against."""
        rows, target = report.plan.rows, report.environment.target
        return [h.rows_per_s for h in self.history if (h.rows, h.target) == (rows, target)]

    def best(self) -> StrategyResult | None:
        """The fastest verified result among the strategies the answers allow (all of them
        when the profile has no answers): binary COPY is no "best" for a web app."""
        from advisor.advice.ladders import fits

        results = self.report.results if self.report else []
        w = self.workload
        allowed = [r for r in results if r.verified and (w is None or fits(r.strategy, w))]
        return max(allowed, key=lambda r: r.rows_per_s, default=None)


# --- writing -------------------------------------------------------------------------------


def _result_table(result: StrategyResult | CeilingResult) -> dict[str, Any]:
    table = asdict(result) | result.stats()
    if isinstance(result, StrategyResult):
        table["verified"] = result.verified
    return table


def to_document(profile: Profile) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "profile": asdict(ProfileMeta(profile.name, profile.created, SCHEMA_VERSION, __version__))
    }
    if profile.workload is not None:
        doc["workload"] = profile.workload.to_dict()
    if profile.recommendation is not None:
        # Its workload is the [workload] section; the title is derived from the strategy.
        doc["recommendation"] = {
            k: v
            for k, v in profile.recommendation.to_dict().items()
            if k not in ("workload", "title")
        }
    if profile.plan is not None:
        bench: dict[str, Any] = asdict(profile.plan)
        if profile.report is not None:
            report = profile.report
            bench |= {
                "measured": report.started,
                "elapsed_s": report.elapsed_s,
                "results": [_result_table(r) for r in report.results],
                "server_ceiling": None if report.ceiling is None else _result_table(report.ceiling),
            }
            doc["environment"] = asdict(report.environment)
        doc["benchmark"] = bench
    if profile.history:
        doc["history"] = [asdict(h) for h in profile.history]
    return dict(prune(doc))


def to_toml(profile: Profile) -> str:
    header = f"# pg-insert-advisor decision profile (schema version {SCHEMA_VERSION})\n"
    return header + tomli_w.dumps(to_document(profile), multiline_strings=True)


def save_profile(profile: Profile, path: str | Path, *, force: bool = False) -> Path:
    """Write atomically (temporary file + rename); refuse to replace a file without `force`."""
    target = Path(path).expanduser()
    if target.exists() and not force:
        raise InputError(f"{target} already exists; use --force to replace it")
    if not target.parent.is_dir():
        raise InputError(f"directory {str(target.parent)!r} does not exist")
    text = to_toml(profile)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes 0600; a profile holds no secret and is meant to be shared and
        # committed, like the shipped ones: readable by all, as README.md says.
        os.chmod(tmp, PROFILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# --- reading -------------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def from_toml(text: str, source: str) -> Profile:
    try:
        doc = tomllib.loads(text)
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise InputError(f"{source}: invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_POSITION.search(message)
        position = f"line {where.group(1)}, column {where.group(2)}: " if where else ""
        raise InputError(
            f"{source}: {position}invalid TOML: {_TOML_POSITION.sub('', message)}"
        ) from None
    try:
        return _from_document(doc)
    except SchemaError as exc:
        raise SchemaError(f"{source}: {exc}") from None


def load_file(path: str | Path) -> Profile:
    return from_toml(read_text(path, "profile"), str(Path(path).expanduser()))


def _from_document(doc: dict[str, Any]) -> Profile:
    for key in doc:
        if key not in SECTIONS:
            raise SchemaError(f"unknown section [{key}]{suggest(key, SECTIONS)}")
    if "profile" not in doc:
        raise SchemaError("missing section [profile]")
    version = doc["profile"].get("schema_version") if isinstance(doc["profile"], dict) else None
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise SchemaError(
            f"schema_version {version} is newer than this pg-insert-advisor reads "
            f"({SCHEMA_VERSION}); upgrade pg-insert-advisor"
        )
    meta = load(ProfileMeta, doc["profile"], "profile")
    if meta.schema_version < 1:
        raise SchemaError(f"profile.schema_version: expected 1, got {meta.schema_version}")
    profile = Profile(name=meta.name, created=meta.created)
    if "workload" in doc:
        profile.workload = _workload(doc["workload"])
    if "recommendation" in doc:
        profile.recommendation = _recommendation(doc["recommendation"], profile.workload)
    if "benchmark" in doc:
        plan, measured = load_parts(doc["benchmark"], "benchmark", BenchPlan, Measured)
        _check_plan(plan)
        profile.plan = plan
        if measured.measured is not None:
            profile.report = _report(plan, measured, doc.get("environment"))
    profile.history = [
        load(HistoryEntry, h, f"history[{i}]") for i, h in enumerate(_array(doc, "history"))
    ]
    return profile


def _workload(section: Any) -> Workload:
    if not isinstance(section, dict):
        raise SchemaError("workload: expected a table")
    try:
        return Workload.from_dict(section)
    except InputError as exc:
        raise SchemaError(f"workload: {exc}") from None


def _recommendation(section: Any, workload: Workload | None) -> Recommendation:
    if workload is None:
        raise SchemaError("[recommendation] needs the [workload] it answers")
    if not isinstance(section, dict):
        raise SchemaError("recommendation: expected a table")
    # Keys and types are checked against the dataclass; the workload is the validated one.
    loaded = load(Recommendation, section | {"workload": workload.to_dict()}, "recommendation")
    _check_id(loaded.strategy, "recommendation.strategy")
    for i, alternative in enumerate(loaded.alternatives):
        _check_id(alternative.strategy, f"recommendation.alternatives[{i}].strategy")
    return replace(loaded, workload=workload)


def _check_id(strategy: str, path: str) -> None:
    if strategy not in STRATEGIES:
        raise SchemaError(
            f"{path}: unknown strategy {strategy!r}{suggest(strategy, list(STRATEGIES))}"
        )


def _array(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise SchemaError(f"{key}: expected an array of tables ([[{key}]])")
    return value


def _check_plan(plan: BenchPlan) -> None:
    try:
        plan.check("benchmark.")
    except InputError as exc:
        raise SchemaError(str(exc)) from None


def _report(plan: BenchPlan, measured: Measured, environment: Any) -> BenchReport:
    if environment is None:
        raise SchemaError("missing section [environment] (the benchmark has results)")
    results = [
        load(StrategyResult, r, f"benchmark.results[{i}]", _DERIVED)
        for i, r in enumerate(measured.results)
    ]
    ceiling = measured.server_ceiling
    return BenchReport(
        plan=plan,
        environment=load(Environment, environment, "environment"),
        started=str(measured.measured),
        elapsed_s=measured.elapsed_s or 0.0,
        ceiling=None
        if ceiling is None
        else load(CeilingResult, ceiling, "benchmark.server_ceiling", _DERIVED),
        results=results,
    )


# --- listing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    path: Path
    name: str = ""
    created: str = ""
    recommended: str | None = None
    best_strategy: str | None = None
    best_rows_per_s: float = 0.0
    error: str | None = None


def default_directory() -> Path:
    """./profiles when present (a project's shared profiles), else the user's data directory."""
    local = Path("profiles")
    if local.is_dir():
        return local
    import platformdirs

    return platformdirs.user_data_path("pg-insert-advisor") / "profiles"


def scan(directory: Path) -> list[Summary]:
    """Every *.toml in `directory`, newest first; an invalid file is listed with its error."""
    out = []
    for path in sorted(directory.glob("*.toml")):
        try:
            profile = load_file(path)
        except InputError as exc:
            out.append(Summary(path, error=str(exc).removeprefix(f"{path}: ")))
            continue
        best = profile.best()
        out.append(
            Summary(
                path,
                name=profile.name,
                created=profile.created,
                recommended=profile.recommendation.strategy if profile.recommendation else None,
                best_strategy=best.strategy if best else None,
                best_rows_per_s=best.rows_per_s if best else 0.0,
            )
        )
    return sorted(out, key=lambda s: s.created, reverse=True)
