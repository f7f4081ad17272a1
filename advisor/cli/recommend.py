"""`advisor recommend`: the advice for a workload, as a card or as JSON."""

from __future__ import annotations

import json
import sys

import click

from advisor.workload import QUESTION_BY_KEY, Workload


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
            "estimate_s, trade_offs, warnings, per_year, snippet and the workload.",
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
    save: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Recommend how to insert rows: strategy, reasons, trade-offs, estimate and a snippet.

    No database is needed: estimates come from reference throughputs, or from your own
    `advisor bench --json` results with --from-bench.

    \b
    Examples:
      advisor recommend --shape objects --rows 200 --correctness high --frequency hourly
      advisor recommend --shape dicts --rows 2M --correctness medium --frequency daily --json
      advisor recommend --shape csv --rows 50M --correctness low --frequency once
      advisor recommend --shape tuples --rows 500k --correctness low --frequency daily \\
          --upsert --rtt-ms 20 --from-bench results.json
    """
    from advisor.cli.options import check_save_path
    from advisor.estimates import load_bench
    from advisor.rules import recommend as advise

    check_save_path(save, force)
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
    rec = advise(workload, measured)
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
        click.echo(f"saved {save_profile(profile, save, force=force)}", err=True)
