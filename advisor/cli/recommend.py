"""`advisor recommend`: the advice for a workload, as a card or as JSON."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from advisor.cli.options import TABLE_NAME
from advisor.errors import InputError
from advisor.workload import QUESTION_BY_KEY, Workload

if TYPE_CHECKING:
    from advisor.snippet_table import SnippetTable


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
        _flag("returning"),
        _flag("upsert"),
        _answer("budget_s", "SECONDS", required=False),
        _answer("rtt_ms", "MS", required=False),
        click.Option(
            ["--from-bench", "from_bench"],
            metavar="FILE.json",
            help="Estimate from your own measurements, a file written by `advisor bench "
            "--json FILE.json` (verified results only), instead of the reference "
            "throughputs. Example: --from-bench results.json.",
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
            help="The server holding --table (libpq URI or key=value). Default: "
            "$ADVISOR_DSN, else $DATABASE_URL.",
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
    returning: bool,
    upsert: bool,
    budget_s: str | None,
    rtt_ms: str | None,
    from_bench: str | None,
    table: str | None,
    dsn: str | None,
    save: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Recommend how to insert rows: strategy, reasons, trade-offs, estimate and a snippet.

    No database is needed: estimates come from reference throughputs, or from your own
    `advisor bench --json` results with --from-bench. With --table, the snippet is written
    for your table, read (never written) from the server given by --dsn.

    \b
    Examples:
      advisor recommend --shape objects --rows 200 --correctness high --frequency hourly
      advisor recommend --shape dicts --rows 2M --correctness medium --frequency daily --json
      advisor recommend --shape csv --rows 50M --correctness low --frequency once
      advisor recommend --shape tuples --rows 500k --correctness low --frequency daily \\
          --upsert --rtt-ms 20 --from-bench results.json
      advisor recommend --shape dicts --rows 2M --correctness medium --frequency daily \\
          --upsert --table shop.orders --dsn postgresql://me@db.example.com/shop
    """
    from advisor.cli.options import check_save_path, write_all
    from advisor.estimates import load_bench
    from advisor.rules import recommend as advise

    check_save_path(save, force)
    if dsn is not None and table is None:
        raise click.UsageError("--dsn is used only with --table (recommend measures nothing)")
    answers = {
        "shape": shape,
        "rows": rows,
        "correctness": correctness,
        "frequency": frequency,
        "returning": returning,
        "upsert": upsert,
        "budget_s": budget_s,
        "rtt_ms": rtt_ms if rtt_ms is not None else 0.0,
    }
    workload = Workload.from_dict(answers)
    measured = load_bench(from_bench) if from_bench is not None else None
    rec = advise(workload, measured, _snippet_table(table, dsn))
    if as_json:
        click.echo(json.dumps(rec.to_dict(), indent=2, ensure_ascii=False))
    else:
        from advisor.card import print_card

        print_card(rec, sys.stdout)
    if save:
        from pathlib import Path

        from advisor.planning import plan_for
        from advisor.profile import Profile, save_profile

        profile = Profile(
            Path(save).stem, workload=workload, recommendation=rec, plan=plan_for(rec)
        )
        write_all(
            (
                f"--save {save!r}",
                lambda: click.echo(f"saved {save_profile(profile, save, force=force)}", err=True),
            )
        )


def _snippet_table(name: str | None, dsn: str | None) -> SnippetTable:
    """The table the snippet is written for: the standard one, or --table as the catalogs of
    the server named by --dsn (or the environment) describe it."""
    from advisor.introspect import snippet_table
    from advisor.server import Target
    from advisor.snippet_table import STANDARD_TABLE

    if name is None:
        return STANDARD_TABLE
    with Target.resolve(dsn) as target:
        if target.embedded:  # a throwaway server holds no tables of the user's
            raise InputError("--table needs a server: give --dsn or set ADVISOR_DSN")
        return snippet_table(target, name)
