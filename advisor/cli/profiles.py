"""`advisor rerun` and `advisor profiles`: decision profiles from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from advisor.cli.console import output_console
from advisor.cli.interrupts import STOP
from advisor.cli.options import dsn_option
from advisor.units import counted

if TYPE_CHECKING:
    from advisor.profiles.profile import Profile
    from advisor.report.compare import Comparison, Machine


@click.command()
@click.argument("profile_path", metavar="PROFILE.toml", type=click.Path(dir_okay=False))
@dsn_option
@click.option("--no-chart", is_flag=True, help="Do not draw the saved-vs-new chart.")
@click.option(
    "--update", is_flag=True, help="Save the new measurement into the profile and its history."
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when a strategy is slower beyond noise or fails verification.",
)
def rerun(profile_path: str, dsn: str | None, no_chart: bool, update: bool, check: bool) -> None:
    """Re-measure a saved profile's benchmark plan and compare with what it saved.

    Runs the same strategies, rows, repeats and data set as saved (on --dsn or the
    embedded server) and shows saved and new rows/s side by side. A strategy is flagged
    slower only beyond noise: its median more than 10% below the saved one and every new
    run slower than every saved run, with at least 3 runs a side (else "within noise").
    The machine itself drifts: each strategy is judged against the median new/saved
    ratio of everything measured in both (the strategies and the server ceiling), and one
    that looks slower is measured once more: it is flagged only when slower again. With two
    saved measurements or more in the profile's history, it must also stand lower among the
    strategies than in every one of them: keep a few with --update for a surer --check.
    --update appends the new run to the profile's history (a profile made by `advisor
    recommend --save` gets its first measurement).

    \b
    Examples:
      advisor rerun profiles/nightly-etl.toml
      advisor rerun my.toml --dsn postgresql://me@db.internal/app --update
      advisor rerun my.toml --check --no-chart     # in CI: exit 1 on a regression
    """
    from advisor.bench.runner import run_benchmark
    from advisor.bench.server import Target
    from advisor.cli.bench import BenchProgress, print_report
    from advisor.cli.options import output_path, write_all
    from advisor.errors import InputError
    from advisor.profiles import profile as profiles
    from advisor.report.compare import compare, confirm, machine

    saved = profiles.load_file(profile_path)
    if saved.plan is None:
        raise InputError(f"{profile_path}: the profile has no [benchmark] plan to re-run")
    if update:
        output_path(profile_path, "--update")
    with Target.resolve(dsn) as target:
        with BenchProgress(_describe(saved)) as progress:
            new = run_benchmark(target, saved.plan, on_event=progress.handle, cancel=STOP)
        comparisons = compare(saved.report, new, saved.history_like(new))
        suspects = [c.strategy for c in comparisons if c.suspect]
        if suspects:
            # A burst of the machine's load can slow one measurement: a regression shows
            # twice. The whole plan again, so that the machine's factor has its voters.
            preface = f"slower beyond noise, measuring again: {', '.join(suspects)}"
            with BenchProgress(preface, server=False) as p:
                second = run_benchmark(target, saved.plan, on_event=p.handle, cancel=STOP)
            comparisons = confirm(
                comparisons, compare(saved.report, second, saved.history_like(second))
            )
    if saved.report is None:
        print_report(new, sys.stdout, chart=not no_chart)
        click.echo("\nfirst measurement of this plan: nothing saved to compare with yet")
    else:
        print_report(new, sys.stdout, chart=False)
        print_comparison(comparisons, machine(saved.report, new), chart=not no_chart)
    if update:
        saved.record(new)
        write_all((f"--update {profile_path!r}", lambda: _update(saved, profile_path)))
    if check and saved.report is not None and len(saved.history_like(new)) < 2:
        click.echo(
            "note: one saved measurement to compare with; the strategies' places among each "
            "other move with the machine's state, so keep a few (rerun --update) for a surer "
            "--check",
            err=True,
        )
    if check and any(c.slower or c.failed or c.unavailable for c in comparisons):
        raise click.exceptions.Exit(1)


def _update(profile: Profile, path: str) -> None:
    from advisor.profiles.profile import save_profile

    save_profile(profile, path, force=True)
    history = counted(len(profile.history), "measurement")
    click.echo(f"updated {path} ({history} in its history)", err=True)


def _describe(profile: Profile) -> str:
    measured = (
        f"measured {profile.report.started} on {profile.report.environment.target_description}"
        if profile.report
        else "not measured yet"
    )
    return f"profile {profile.name!r} (created {profile.created}; {measured})"


def print_comparison(comparisons: list[Comparison], found: Machine | None, *, chart: bool) -> None:
    from rich.table import Table

    from advisor.report.charts import comparison_height, draw_comparison, render
    from advisor.report.compare import comparison_table, machine_note

    console = output_console()
    table = Table(
        box=None, pad_edge=False, header_style="bold", title="saved vs new", title_justify="left"
    )
    headers, rows = comparison_table(comparisons)
    for i, header in enumerate(headers):
        last = i == len(headers) - 1
        table.add_column(header, justify="left" if i == 0 or last else "right", no_wrap=True)
    for c, cells in zip(comparisons, rows, strict=True):
        table.add_row(*cells, style="red" if c.slower or c.failed else None)
    console.print()
    console.print(table)
    click.echo(machine_note(found))
    if chart:
        text = render(
            draw_comparison,
            comparisons,
            min(console.width, 100),
            comparison_height(comparisons),
            console.is_terminal,
        )
        click.echo(text)


@click.command("profiles")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def list_profiles(directory: str | None) -> None:
    """List saved decision profiles: name, date, recommendation, the fastest measured
    strategy that fits the answers.

    DIRECTORY defaults to ./profiles when it exists, else the user's data directory.
    """
    from advisor.profiles.profile import default_directory, scan
    from advisor.units import format_rate

    folder = Path(directory) if directory else default_directory()
    if not folder.is_dir():
        raise click.BadParameter(f"{str(folder)!r} is not a directory", param_hint="DIRECTORY")
    found = scan(folder)
    if not found:
        click.echo(f"no profiles in {folder}")
        return
    rows = [("name", "created", "recommended", "best that fits", "file")]
    for s in found:
        if s.error:
            rows.append((s.path.stem, "—", "—", f"INVALID: {s.error}", s.path.name))
            continue
        best = (
            f"{s.best_strategy} {format_rate(s.best_rows_per_s)}"
            if s.best_strategy
            else "not measured"
        )
        rows.append((s.name, s.created[:10], s.recommended or "—", best, s.path.name))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    click.echo(f"profiles in {folder.resolve()}")  # "profiles in profiles" read as a typo
    for r in rows:
        click.echo(
            "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)) + "  " + r[4]
        )
