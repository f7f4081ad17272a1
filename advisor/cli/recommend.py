"""`advisor recommend`: the advice for a workload, as a card or as JSON."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from advisor.advice.plan import PLAN_MAX_ROWS
from advisor.cli.options import TABLE_NAME, CountType
from advisor.errors import BenchFailure, InputError
from advisor.workload import QUESTION_BY_KEY, Workload

if TYPE_CHECKING:
    from advisor.advice.recommendation import Recommendation
    from advisor.advice.verdict import Verdict
    from advisor.profiles.calibration import Calibration
    from advisor.results import BenchReport
    from advisor.snippets.table import SnippetTable


def _help(key: str) -> str:
    """An option's help, from the questionnaire's own words (the TUI asks the same)."""
    q = QUESTION_BY_KEY[key]
    parts = [q.title, q.explanation]
    if q.choices:
        parts.append("; ".join(f"{c.value}: {c.description}" for c in q.choices) + ".")
    parts.append(f"Example: {q.option} {q.example}".rstrip() + ".")
    return " ".join(parts)


def _metavar(key: str, default: str) -> str:
    choices = QUESTION_BY_KEY[key].choices
    return "[" + "|".join(c.value for c in choices) + "]" if choices else default


def _answer(key: str, metavar: str = "VALUE", *, required: bool = True) -> click.Option:
    """A question as an option; its value is checked by Workload, with the same messages
    whether it comes from here, a profile or the app."""
    return click.Option(
        [QUESTION_BY_KEY[key].option, key],
        required=required,
        metavar=_metavar(key, metavar),
        help=_help(key),
    )


def _flag(key: str) -> click.Option:
    return click.Option([QUESTION_BY_KEY[key].option, key], is_flag=True, help=_help(key))


@click.command(
    params=[
        _answer("shape"),
        _answer("rows", "N"),
        _answer("correctness"),
        _answer("frequency"),
        _flag("asyncio"),
        _flag("returning"),
        _flag("upsert"),
        _answer("budget_s", "SECONDS", required=False),
        _answer("rtt_ms", "MS", required=False),
        click.Option(
            ["--from-bench", "from_bench"],
            metavar="FILE.json",
            help="Estimate from your own measurements, a file written by `advisor bench "
            "--json FILE.json` (verified results only), instead of the reference figures or "
            "`advisor calibrate`'s. Example: --from-bench results.json.",
        ),
        click.Option(
            ["--measure"],
            is_flag=True,
            help="Benchmark the recommendation and its usable alternatives for this workload "
            "(its shape, semantics and distance) on the embedded server or --dsn, then print "
            "the advice recomputed from the measurement with a verdict: confirmed or changed, "
            "and why.",
        ),
        click.Option(
            ["--measure-rows", "measure_rows"],
            type=CountType(),
            metavar="N",
            help="Rows per run for --measure. Default: the workload's, up to "
            f"{PLAN_MAX_ROWS:,} (beyond it figures are extrapolated, and the card says so).",
        ),
        click.Option(
            ["--table"],
            type=TABLE_NAME,
            help="Write the snippet for your table instead of the standard one: its column "
            "names and types, its primary key or unique constraint for --upsert, and what the "
            "database generates (identity, serial, generated columns) for --returning. Only "
            "its catalogs are read, from the server given by --dsn. Example: --table "
            "shop.orders.",
        ),
        click.Option(
            ["--dsn"],
            metavar="DSN",
            help="The server holding --table, and the one --measure benchmarks on (libpq URI "
            "or key=value). Default: $ADVISOR_DSN, else $DATABASE_URL (--measure: else the "
            "embedded server).",
        ),
        click.Option(
            ["--save"],
            metavar="FILE.toml",
            help="Save the answers, the advice and a benchmark plan for them as a profile; "
            "measure it later with `advisor rerun FILE.toml --update`.",
        ),
        click.Option(["--force"], is_flag=True, help="Replace an existing profile file."),
        click.Option(
            ["--json", "as_json"],
            is_flag=True,
            help="Print the recommendation as JSON: layer, strategy, reasons, alternatives, "
            "estimate_s, trade_offs, warnings, per_year, snippet, table and the workload.",
        ),
    ]
)
def recommend(
    shape: str,
    rows: str,
    correctness: str,
    frequency: str,
    asyncio: bool,
    returning: bool,
    upsert: bool,
    budget_s: str | None,
    rtt_ms: str | None,
    from_bench: str | None,
    measure: bool,
    measure_rows: int | None,
    table: str | None,
    dsn: str | None,
    save: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Recommend how to insert rows: strategy, reasons, trade-offs, estimate and a snippet.

    No database is needed: estimates come from reference figures, from `advisor calibrate`'s
    once it has run, or from your own `advisor bench --json` results with --from-bench. With
    --table, the snippet is written for your table, read (never written) from the server
    given by --dsn. With --measure, the candidates are benchmarked for this workload and the
    advice is recomputed from the measurement, with a verdict.

    \b
    Examples:
      advisor recommend --shape objects --rows 200 --correctness high --frequency hourly
      advisor recommend --shape dicts --rows 2M --correctness medium --frequency daily --json
      advisor recommend --shape csv --rows 50M --correctness low --frequency once
      advisor recommend --shape tuples --rows 500k --correctness low --frequency daily \\
          --upsert --rtt-ms 20 --from-bench results.json
      advisor recommend --shape dicts --rows 2M --correctness medium --frequency daily \\
          --upsert --table shop.orders --dsn postgresql://me@db.example.com/shop
      advisor recommend --shape dicts --rows 50k --correctness medium --frequency daily \\
          --measure
    """
    from advisor.advice.estimates import load_bench
    from advisor.advice.rules import recommend as advise
    from advisor.cli.options import check_save_path, write_all

    check_save_path(save, force)
    if dsn is not None and table is None and not measure:
        raise click.UsageError("--dsn is used only with --table or --measure")
    if measure_rows is not None and not measure:
        raise click.UsageError("--measure-rows is used only with --measure")
    answers = {
        "shape": shape,
        "rows": rows,
        "correctness": correctness,
        "frequency": frequency,
        "asyncio": asyncio,
        "returning": returning,
        "upsert": upsert,
        "budget_s": budget_s,
        "rtt_ms": rtt_ms if rtt_ms is not None else 0.0,
    }
    workload = Workload.from_dict(answers)
    snippet_table = _snippet_table(table, dsn)
    calibrated = _calibration(dsn) if from_bench is None or measure else None
    if from_bench is not None:
        rec = advise(workload, load_bench(from_bench), snippet_table)
    elif calibrated is not None:
        rec = advise(
            workload, list(calibrated.measurements), snippet_table, origin=calibrated.origin
        )
    else:
        rec = advise(workload, None, snippet_table)
    found: Verdict | None = None
    if measure:
        rec, found, report = _measure(rec, snippet_table, dsn, measure_rows, calibrated)
    if as_json:
        doc = rec.to_dict()
        if found is not None:
            doc |= {"verdict": found.to_dict(), "measurement": report.to_dict()}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        from advisor.report.card import print_card

        if found is not None:
            from advisor.cli.bench import print_report

            print_report(report, sys.stdout, chart=False)
            click.echo()
        print_card(rec, sys.stdout, found)
    if save:
        from pathlib import Path

        from advisor.advice.plan import plan_for
        from advisor.profiles.profile import Profile, save_profile

        profile = Profile(
            Path(save).stem, workload=workload, recommendation=rec, plan=plan_for(rec)
        )
        write_all(
            (
                f"--save {save!r}",
                lambda: click.echo(f"saved {save_profile(profile, save, force=force)}", err=True),
            )
        )


def _calibration(dsn: str | None) -> Calibration | None:
    """`advisor calibrate`'s figures for the server --measure and bench would use, if any."""
    from advisor.bench.server import Target
    from advisor.profiles import calibration

    return calibration.load(Target.resolve(dsn).location)


def _measure(
    rec: Recommendation,
    table: SnippetTable,
    dsn: str | None,
    rows: int | None,
    calibrated: Calibration | None,
) -> tuple[Recommendation, Verdict, BenchReport]:
    """Benchmark the candidates for the workload, and the advice recomputed from them (the
    strategies left out are estimated from the server's calibration, if it has one)."""
    from dataclasses import replace

    from advisor.advice.plan import plan_for
    from advisor.advice.verdict import judge
    from advisor.bench.runner import run_benchmark
    from advisor.bench.server import Target
    from advisor.cli.bench import BenchProgress
    from advisor.cli.interrupts import STOP

    plan = plan_for(rec)
    plan = replace(plan, rows=rows or plan.rows, memory=False, ceiling=False)
    with Target.resolve(dsn) as target, BenchProgress() as progress:
        report = run_benchmark(target, plan, on_event=progress.handle, cancel=STOP)
    judged = judge(rec, report, table, calibrated.fill_in if calibrated else None)
    if judged is None:
        raise BenchFailure("--measure: no candidate verified, so there is nothing to judge by")
    return *judged, report


def _snippet_table(name: str | None, dsn: str | None) -> SnippetTable:
    """The table the snippet is written for: the standard one, or --table as the catalogs of
    the server named by --dsn (or the environment) describe it."""
    from advisor.bench.introspect import snippet_table
    from advisor.bench.server import Target
    from advisor.snippets.table import STANDARD_TABLE

    if name is None:
        return STANDARD_TABLE
    with Target.resolve(dsn) as target:
        if target.embedded:  # a throwaway server holds no tables of the user's
            raise InputError("--table needs a server: give --dsn or set ADVISOR_DSN")
        return snippet_table(target, name)
