"""Benchmark results as table cells, Markdown and JSON: one source for CLI, TUI and exports."""

from __future__ import annotations

import json
from typing import Any

from advisor.results import RTT_TRIES, BenchPlan, BenchReport, Environment, StrategyResult
from advisor.units import counted, format_count, format_rate, format_seconds

HEADERS = (
    "strategy",
    "layer",
    "median",
    "min–max",
    "rows/s",
    "× vs slowest",
    "% of ceiling",
    "verified",
    "peak MiB",
)


RECOMMENDED = "←"  # marks the advice's pick in a bench that came from a workload


def ranked(report: BenchReport) -> list[StrategyResult]:
    """Fastest first; then the strategies that failed to insert, then those not run (n/a)."""
    return sorted(
        report.results,
        key=lambda r: (
            r.unavailable is not None or r.na is not None,
            r.error is not None,
            -r.rows_per_s,
        ),
    )


def seconds_span(low_s: float, high_s: float) -> str:
    """A duration range sharing its unit when it can; one figure when both ends round alike."""
    lo, hi = format_seconds(low_s), format_seconds(high_s)
    if lo == hi:
        return lo
    lo_num, lo_unit = lo.rsplit(" ", 1)
    _hi_num, hi_unit = hi.rsplit(" ", 1)
    return f"{lo_num}–{hi}" if lo_unit == hi_unit else f"{lo}–{hi}"


NA = "n/a"  # the strategy has no form for the plan's semantics: not run, not a failure


def verified_cell(r: StrategyResult) -> str:
    if r.unavailable or r.na is not None:
        return NA
    if r.error:
        return "FAILED"
    return "yes" if r.verified else "NO"


def result_cells(report: BenchReport, r: StrategyResult) -> tuple[str, ...]:
    name = f"{r.strategy} {RECOMMENDED}" if r.strategy == report.plan.recommended else r.strategy
    if r.error or not r.runs_s:
        return (name, r.layer, "—", "—", "—", "—", "—", verified_cell(r), "—")
    slowest = report.slowest_rows_per_s()
    pct = report.pct_of_ceiling(r)
    peak = (
        "—" if r.peak_mib is None else f"{r.peak_mib:.1f}" + ("*" if r.peak_includes_batch else "")
    )
    return (
        name,
        r.layer,
        format_seconds(r.median_s),
        seconds_span(r.min_s, r.max_s),
        format_count(r.rows_per_s),
        f"{r.rows_per_s / slowest:.1f}×" if slowest else "—",
        "—" if pct is None else "≈ 100%" if report.at_ceiling(r) else f"{pct:.0f}%",
        verified_cell(r),
        peak,
    )


def table_rows(report: BenchReport) -> list[tuple[str, ...]]:
    return [result_cells(report, r) for r in ranked(report)]


def summary_line(report: BenchReport) -> str:
    plan = report.plan
    warm = f" (+{plan.warmup} warmup)" if plan.warmup else ""
    data = plan.table or f"{plan.data} data"
    semantics = "" if plan.semantics.plain else f", {plan.semantics.describe()}"
    where = report.environment.target_description
    return (
        f"{counted(plan.rows, 'row')} × {counted(plan.repeat, 'run')}{warm}, {data}{semantics},"
        f" on {where}"
    )


def _ms_span(values: list[float]) -> str:
    """One round trip, or the range of several (a sweep measures one per volume)."""
    return seconds_span(min(values) / 1000, max(values) / 1000)


def network_line(plan: BenchPlan, environments: list[Environment]) -> str:
    """How far the server was: the measured round trip and, if any, the simulated one."""
    measured = [e.rtt_ms for e in environments if e.rtt_ms is not None]
    line = "round trip to the server: " + (
        f"{_ms_span(measured)} (median of {RTT_TRIES} SELECT 1)" if measured else "not measured"
    )
    if plan.simulated_rtt_ms is not None:
        proxied = [e.proxied_rtt_ms for e in environments if e.proxied_rtt_ms is not None]
        through = f", {_ms_span(proxied)} measured through it" if proxied else ""
        line += f"; simulated {plan.simulated_rtt_ms:g} ms by a loopback proxy{through}"
    return line


def ceiling_line(report: BenchReport) -> str | None:
    c = report.ceiling
    if c is None:
        return None
    if not c.runs_s:
        return f"server ceiling: not measured ({c.note})"
    status = "" if c.verified else " (UNVERIFIED)"
    note = f"; {c.note}" if c.note else ""
    return (
        f"server ceiling: {format_rate(c.rows_per_s)} ({c.method}, median "
        f"{format_seconds(c.median_s)}){status}{note}"
    )


def note_lines(report: BenchReport) -> list[str]:
    return [f"note: {note}" for note in report.notes]


NOISY_CV = 0.10  # runs varying more than this (coefficient of variation) are called noisy


def noise_lines(report: BenchReport) -> list[str]:
    """Warnings in words when the figures are less certain than they look (as hyperfine
    and pytest-benchmark give them): one run, widely varying runs, outliers."""
    timed = [r for r in ranked(report) if r.runs_s and not r.error]
    if report.plan.repeat == 1 and timed:
        return ["a single timed run per strategy: no spread to judge the figures by"]
    lines = []
    for r in timed:
        if r.cv > NOISY_CV:
            lines.append(
                f"{r.strategy}: runs vary by {r.cv:.0%} (coefficient of variation; "
                f"{seconds_span(r.min_s, r.max_s)}): treat its figure as rough"
            )
        if r.outliers:
            lines.append(
                f"{r.strategy}: {r.outliers} outlier run(s) beyond 1.5 IQR of the quartiles "
                "(the median is kept; something else may have been running)"
            )
    return lines


def findings(report: BenchReport) -> list[str]:
    """One line per strategy that failed or did not verify, with what was found, then the
    noise warnings."""
    lines = []
    for r in ranked(report):
        if r.na is not None:
            lines.append(f"{r.strategy} {NA} for {report.plan.semantics.describe()}: {r.na}")
        elif r.error:
            lines.append(f"{r.strategy} failed: {r.error}")
        elif r.problem:
            lines.append(f"{r.strategy} NOT VERIFIED: {r.problem}")
    if report.plan.recommended:
        lines.append(
            f"{RECOMMENDED} the recommendation for this workload: {report.plan.recommended}"
        )
    lines += noise_lines(report)
    for r in ranked(report):
        pct = report.pct_of_ceiling(r)
        if pct is not None and pct > 100 and not report.at_ceiling(r):
            lines.append(
                f"{r.strategy} beat the server ceiling by {pct - 100:.0f}%: the ceiling's method "
                "has costs of its own (the server reads and parses a file, or copies a table), "
                "so it is a reference, not a hard limit"
            )
    lines += unavailable_lines(report)
    if any(r.peak_includes_batch for r in report.results):
        lines.append(
            "* peak memory includes one input batch (the input was too large to build first)"
        )
    return lines


def unavailable_lines(report: BenchReport) -> list[str]:
    """One line per missing extra: which strategies were not run, and how to install it."""
    by_reason: dict[str, list[str]] = {}
    for r in report.results:
        if r.unavailable:
            by_reason.setdefault(r.unavailable, []).append(r.strategy)
    return [f"n/a (not run): {', '.join(ids)}: {why}" for why, ids in by_reason.items()]


def markdown(report: BenchReport) -> str:
    env = report.environment
    out = [
        "## pg-insert-advisor benchmark",
        "",
        summary_line(report) + ".",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---:" if i > 1 else "---" for i in range(len(HEADERS))) + "|",
    ]
    out += ["| " + " | ".join(cells) + " |" for cells in table_rows(report)]
    out.append("")
    extra = [
        line for line in (*note_lines(report), ceiling_line(report), *findings(report)) if line
    ]
    out += [f"- {line}" for line in extra]
    out += [
        f"- {network_line(report.plan, [env])}",
        f"- {environment_line(env)}",
        f"- started {report.started}, took {format_seconds(report.elapsed_s)}; medians of "
        f"{report.plan.repeat} verified runs, min–max shown",
        "",
    ]
    return "\n".join(out)


def environment_line(env: Environment) -> str:
    libraries = "".join(f", {name} {v}" for name, v in env.libraries.items())
    return (
        f"Python {env.python}, psycopg {env.psycopg} (libpq {env.libpq}), SQLAlchemy "
        f"{env.sqlalchemy}{libraries}, PostgreSQL {env.server_version}, {env.cpu_count} CPUs, "
        f"{env.platform}"
    )


def to_json(report: BenchReport) -> str:
    return dump_json(report.to_dict())


def dump_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"
