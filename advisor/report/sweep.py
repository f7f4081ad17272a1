"""A volume sweep as table cells, sentences, Markdown and JSON (shared by CLI, TUI, exports)."""

from __future__ import annotations

from dataclasses import asdict

from advisor.bench.sweep import crossovers
from advisor.report.bench import (
    ceiling_line,
    dump_json,
    environment_line,
    findings,
    network_line,
    note_lines,
    verified_cell,
)
from advisor.results import BenchReport, StrategyResult, SweepReport
from advisor.units import counted, format_count, format_seconds

CEILING_ROW = "server ceiling"


def summary_line(sweep: SweepReport) -> str:
    first = sweep.points[0]
    plan = first.plan
    warm = f" (+{plan.warmup} warmup)" if plan.warmup else ""
    volumes = ", ".join(format_count(v) for v in sweep.volumes)
    data = plan.table or f"{plan.data} data"
    return (
        f"sweep over {len(sweep.volumes)} volumes ({volumes} rows), "
        f"{counted(plan.repeat, 'run')}{warm} "
        f"each, {data}, on {first.environment.target_description}"
    )


def sweep_network_line(sweep: SweepReport) -> str:
    return network_line(sweep.points[0].plan, [p.environment for p in sweep.points])


def headers(sweep: SweepReport) -> tuple[str, ...]:
    return ("strategy", *(f"{format_count(v)} rows" for v in sweep.volumes))


def _cell(result: StrategyResult | None, rate: bool) -> str:
    if result is None:
        return "—"
    if not result.verified:
        return verified_cell(result)  # NO or FAILED: a figure that proves nothing is not shown
    return format_count(result.rows_per_s) if rate else format_seconds(result.median_s)


def table_rows(sweep: SweepReport, *, rate: bool) -> list[tuple[str, ...]]:
    """One row per strategy, fastest at the largest volume first; then the server ceiling."""
    by_volume = [{r.strategy: r for r in point.results} for point in sweep.points]
    top = by_volume[-1] if by_volume else {}
    ids = sorted(
        {sid for results in by_volume for sid in results},
        key=lambda sid: -top[sid].rows_per_s if sid in top and top[sid].verified else 0.0,
    )
    rows = [(sid, *(_cell(results.get(sid), rate) for results in by_volume)) for sid in ids]
    ceilings = [point.ceiling for point in sweep.points]
    if any(c is not None and c.runs_s for c in ceilings):
        rows.append(
            (
                CEILING_ROW,
                *(
                    "—"
                    if c is None or not c.runs_s
                    else format_count(c.rows_per_s)
                    if rate
                    else format_seconds(c.median_s)
                    for c in ceilings
                ),
            )
        )
    return rows


def crossover_lines(sweep: SweepReport) -> list[str]:
    """A sentence per crossover, or one line saying why there is none."""
    return [c.sentence() for c in crossovers(sweep.series())] or ["none: too few verified points"]


def point_findings(sweep: SweepReport) -> list[str]:
    """Notes on the table (the same at every volume), then per volume what failed or did
    not verify, the ceiling included."""
    out = note_lines(sweep.points[0]) if sweep.points else []
    for point in sweep.points:
        notes = [*findings(point), *_ceiling_problem(point)]
        out += [f"at {format_count(point.plan.rows)} rows: {line}" for line in notes]
    return out


def _ceiling_problem(point: BenchReport) -> list[str]:
    c = point.ceiling
    if c is None or (c.verified and c.runs_s):
        return []
    return [line for line in (ceiling_line(point),) if line]


def markdown(sweep: SweepReport) -> str:
    out = ["## pg-insert-advisor volume sweep", "", summary_line(sweep) + ".", ""]
    for title, rate in (("rows/s, median", True), ("seconds per run, median", False)):
        head = headers(sweep)
        out += [f"### {title}", "", "| " + " | ".join(head) + " |"]
        out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|")
        out += ["| " + " | ".join(cells) + " |" for cells in table_rows(sweep, rate=rate)]
        out.append("")
    out += ["### crossovers", ""]
    out += [f"- {line}" for line in crossover_lines(sweep)]
    out.append("")
    env = sweep.points[0].environment
    out += [f"- {line}" for line in point_findings(sweep)]
    out += [
        f"- {sweep_network_line(sweep)}",
        f"- {environment_line(env)}",
        f"- started {sweep.started}, took {format_seconds(sweep.elapsed_s)}; medians of "
        f"{sweep.points[0].plan.repeat} verified runs per volume",
        "",
    ]
    return "\n".join(out)


def to_json(sweep: SweepReport) -> str:
    """Every point with every run, and the crossovers (derived: recomputed when read)."""
    found = [
        {"kind": type(c).__name__.lower(), **asdict(c), "text": c.sentence()}
        for c in crossovers(sweep.series())
    ]
    return dump_json(sweep.to_dict() | {"crossovers": found})
