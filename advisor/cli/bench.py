"""`advisor bench` and `advisor strategies`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from advisor.bench.events import (
    PHASE_LABELS,
    BenchStarted,
    PointStarted,
    Progress,
    RunFinished,
    SweepEvent,
)
from advisor.cli.console import output_console
from advisor.cli.interrupts import STOP
from advisor.cli.options import (
    COUNT,
    MILLISECONDS,
    SHARE,
    STRATEGY_LIST,
    TABLE_NAME,
    VOLUME_RANGE,
    check_save_path,
    dsn_option,
    output_path,
    save_options,
    write_all,
    write_output,
)
from advisor.limits import MAX_BENCH_ROWS, MAX_REPEAT, MAX_SWEEP_POINTS, MAX_WARMUP
from advisor.results import DATA_SETS, BenchPlan, BenchReport, Semantics, SweepReport
from advisor.strategy_info import GROUP_TITLES, GROUPS, STRATEGIES, Group
from advisor.units import format_count


@click.command()
def strategies() -> None:
    """List the strategies by group: id, layer, native input, whether its libraries are
    installed, and what it is for. `bench --strategies` takes ids and group names."""
    id_width = max(map(len, STRATEGIES))
    input_width = max(len(info.native_input) for info in STRATEGIES.values())
    for group, ids in GROUPS.items():
        click.echo(f"{group} — {GROUP_TITLES[Group(group)]}")
        for sid in ids:
            info = STRATEGIES[sid]
            missing = info.missing_module()
            state = f"n/a: {info.install_hint}" if missing else "available"
            click.echo(
                f"  {sid:<{id_width}}  {info.layer:<9}  {info.native_input:<{input_width}}  {state}"
            )
            click.echo(f"  {'':<{id_width}}  {info.summary}")
        click.echo()
    click.echo("advisor bench --strategies takes ids and these group names, and `all`.")


@click.command()
@click.option(
    "--rows",
    type=COUNT,
    default="100k",
    show_default=True,
    help=f"Rows per run (500, 10k, 2M, 1e6), at most {format_count(MAX_BENCH_ROWS)}.",
)
@click.option(
    "--sweep",
    type=VOLUME_RANGE,
    help="Instead of --rows: run at log-spaced volumes from FROM to TO (100..1M, 1k..100k; "
    f"at most {format_count(MAX_BENCH_ROWS)}) and report where the ranking changes.",
)
@click.option(
    "--points",
    type=int,
    metavar="N",
    help=f"Volumes in a --sweep, ends included (2 to {MAX_SWEEP_POINTS}).  [default: 5]",
)
@click.option(
    "--rtt-ms",
    type=MILLISECONDS,
    help="Simulate a server this many ms of round trip away: every connection goes through "
    "a loopback proxy that delays each direction by half of it (0: the proxy alone).",
)
@click.option(
    "--repeat",
    type=click.IntRange(1, MAX_REPEAT),
    metavar="N",
    default=3,
    show_default=True,
    help="Timed runs per strategy.",
)
@click.option(
    "--warmup",
    type=click.IntRange(0, MAX_WARMUP),
    metavar="N",
    default=1,
    show_default=True,
    help="Untimed runs of a 1,000-row sample first; the first one also measures memory.",
)
@click.option(
    "--strategies",
    "strategy_ids",
    type=STRATEGY_LIST,
    default="sync",
    show_default=True,
    help="Strategy ids and groups, comma-separated: sync (the seed article's eight), "
    "dataframe (pandas, polars, ADBC), async (asyncio), psycopg2, all; ids and what is "
    "installed: `advisor strategies`.",
)
@dsn_option
@click.option(
    "--table",
    type=TABLE_NAME,
    help="Benchmark on an empty clone of this table, in the sandbox; the table itself is only"
    " read. Without a schema the name follows the search_path.",
)
@click.option(
    "--data",
    type=click.Choice(DATA_SETS),
    default="standard",
    show_default=True,
    help="Data set: 'adversarial' holds values that break naive loaders.",
)
@click.option(
    "--upsert",
    is_flag=True,
    help="Upsert instead of insert: the table already holds some of the input's keys with "
    "stale values (and rows the input does not touch); ON CONFLICT DO UPDATE, or the "
    "strategy's own way.",
)
@click.option(
    "--conflicts",
    type=SHARE,
    help="With --upsert: the share of the input's keys already in the table.  [default: 0.5]",
)
@click.option(
    "--returning",
    is_flag=True,
    help="The ids the database generates come back to Python, and are checked.",
)
@click.option(
    "--json",
    "json_out",
    metavar="FILE|-",
    help="Write every run, the plan and the environment as JSON to FILE, or to stdout with '-'"
    " (the tables then go to stderr).",
)
@click.option(
    "--markdown",
    "markdown_out",
    metavar="FILE|-",
    help="Write the results as a Markdown table to FILE, or to stdout with '-'.",
)
@click.option("--no-chart", is_flag=True, help="Do not draw the rows/s chart.")
@click.option(
    "--memory",
    "memory_scope",
    type=click.Choice(["sample", "full"]),
    default="sample",
    show_default=True,
    help="What the untimed memory pass (tracemalloc) inserts: a 1,000-row sample, or the"
    " whole volume (the exact peak; tracing slows an insert 1.5-4x).",
)
@click.option("--no-memory", is_flag=True, help="Skip the tracemalloc memory measurement.")
@click.option("--no-ceiling", is_flag=True, help="Skip measuring the server's own ingest ceiling.")
@click.option(
    "--seed",
    type=int,
    default=42,
    show_default=True,
    help="Seed of the synthetic data: the same seed gives the same rows.",
)
@save_options
@click.pass_context
def bench(
    ctx: click.Context,
    rows: int,
    sweep: tuple[int, int] | None,
    points: int | None,
    rtt_ms: float | None,
    repeat: int,
    warmup: int,
    strategy_ids: list[str],
    dsn: str | None,
    table: str | None,
    data: str,
    upsert: bool,
    conflicts: float | None,
    returning: bool,
    json_out: str | None,
    markdown_out: str | None,
    no_chart: bool,
    memory_scope: str,
    no_memory: bool,
    no_ceiling: bool,
    seed: int,
    save: str | None,
    force: bool,
) -> None:
    """Measure insert strategies on a real PostgreSQL and verify every run.

    Each strategy gets the rows in its native shape (ORM objects, dicts, tuples, a pandas
    or polars DataFrame, an Arrow table) built while the clock is paused; only the insert
    and its commit are timed. Every run starts from an empty table in the sandbox schema
    `advisor_bench`, is checked (row count and a content checksum), and the schema is
    dropped at the end, also on Ctrl-C. A strategy whose optional libraries are not
    installed is shown as n/a, with the pip command that adds them.

    The round trip to the server (median of 20 `SELECT 1`) is measured and shown with
    the results; --rtt-ms adds a simulated distance to it.

    --upsert and --returning measure each strategy's own form of them (a strategy without
    one is shown as n/a, with the reason). On the standard data the table then numbers its
    rows itself and email is the key; with --table the key is its primary key, else a
    unique constraint or index.

    \b
    Examples:
      advisor bench
      advisor bench --rows 1M --strategies driver_copy,driver_copy_binary
      advisor bench --strategies all --rows 20k
      advisor bench --strategies dataframe --data adversarial --rows 2000
      advisor bench --json results.json --markdown - --no-chart
      advisor bench --rows 1M --save profiles/one-off-load.toml
      advisor bench --sweep 100..100k --strategies orm_add_all,driver_copy --json sweep.json
      advisor bench --rows 10k --rtt-ms 10
      advisor bench --upsert --conflicts 0.2 --returning --rows 10k
    """
    from advisor.bench.runner import run_benchmark
    from advisor.bench.server import Target

    volumes = _sweep_volumes(ctx, sweep, points, save)
    if conflicts is not None and not upsert:
        raise click.UsageError("--conflicts needs --upsert")
    _check_outputs(json_out, markdown_out, save, force)
    plan = BenchPlan(
        rows=rows,
        repeat=repeat,
        warmup=warmup,
        strategies=strategy_ids,
        data=data,
        table=table,
        memory=not no_memory,
        memory_full=memory_scope == "full",
        ceiling=not no_ceiling,
        seed=seed,
        simulated_rtt_ms=rtt_ms,
        semantics=Semantics(
            upsert=upsert,
            conflicts=Semantics().conflicts if conflicts is None else conflicts,
            returning=returning,
        ),
    )
    plan.check()
    stdout_taken = "-" in (json_out, markdown_out)
    human = sys.stderr if stdout_taken else sys.stdout
    from advisor.bench.sweep import run_sweep

    with Target.resolve(dsn) as target, BenchProgress() as progress:
        measured = (
            run_sweep(target, plan, volumes, on_event=progress.handle, cancel=STOP)
            if volumes
            else run_benchmark(target, plan, on_event=progress.handle, cancel=STOP)
        )
    if isinstance(measured, SweepReport):
        from advisor.report import sweep as sweepreport

        print_sweep(measured, human, chart=not no_chart)
        write_all(
            *_exports(json_out, sweepreport.to_json, markdown_out, sweepreport.markdown, measured)
        )
        return
    from advisor.report import bench as report

    print_report(measured, human, chart=not no_chart)
    writes = _exports(json_out, report.to_json, markdown_out, report.markdown, measured)
    if save:
        writes.append((f"--save {save!r}", lambda: _save(measured, save, force)))
    write_all(*writes)


def _sweep_volumes(
    ctx: click.Context, sweep: tuple[int, int] | None, points: int | None, save: str | None
) -> list[int]:
    """The sweep's volumes, [] without --sweep; conflicting options are usage errors."""
    from click.core import ParameterSource

    if sweep is None:
        if points is not None:
            raise click.UsageError("--points needs --sweep FROM..TO")
        return []
    if ctx.get_parameter_source("rows") is not ParameterSource.DEFAULT:
        raise click.UsageError(
            "--sweep and --rows are mutually exclusive: the sweep sets the rows of each run"
        )
    if save:
        raise click.UsageError("--save keeps one volume, not a sweep; keep a sweep with --json")
    from advisor.bench.sweep import DEFAULT_POINTS, log_volumes

    return log_volumes(*sweep, DEFAULT_POINTS if points is None else points)


def _check_outputs(
    json_out: str | None, markdown_out: str | None, save: str | None, force: bool
) -> None:
    """Every output can be written, and to a place of its own: found now, not after the run."""
    output_path(json_out, "--json")
    output_path(markdown_out, "--markdown")
    check_save_path(save, force)
    if json_out == markdown_out == "-":
        raise click.UsageError("--json - and --markdown - would both write to stdout")
    named = {
        option: Path(value).expanduser().resolve()
        for option, value in (("--json", json_out), ("--markdown", markdown_out), ("--save", save))
        if value not in (None, "-")
    }
    if len(set(named.values())) < len(named):
        raise click.UsageError(f"{' and '.join(named)} must name different files")


def _exports(
    json_out: str | None,
    to_json: Callable[[Any], str],
    markdown_out: str | None,
    to_markdown: Callable[[Any], str],
    measured: BenchReport | SweepReport,
) -> list[tuple[str, Callable[[], object]]]:
    """The writes of --json and --markdown, for `write_all`."""
    writes: list[tuple[str, Callable[[], object]]] = []
    for option, path, render in (
        ("--json", json_out, to_json),
        ("--markdown", markdown_out, to_markdown),
    ):
        if path:
            writes.append((f"{option} {path!r}", partial(write_output, path, render(measured))))
    return writes


def _save(report: BenchReport, path: str, force: bool) -> None:
    from advisor.profiles.profile import Profile, save_profile

    profile = Profile(name=Path(path).stem)
    profile.record(report)
    click.echo(f"saved {save_profile(profile, path, force=force)}", err=True)


def print_report(report: BenchReport, stream: Any, *, chart: bool) -> None:
    from rich.table import Table

    from advisor.report.bench import (
        HEADERS,
        NA,
        ceiling_line,
        findings,
        network_line,
        note_lines,
        summary_line,
        table_rows,
    )

    console = output_console(stream)
    console.print(summary_line(report))
    for line in [*note_lines(report), network_line(report.plan, [report.environment])]:
        console.print(line, markup=False)
    # Two-line headers keep the table within 90 columns; below that the layer goes, as the
    # id's prefix already names it.
    keep = [i for i in range(len(HEADERS)) if not (i == 1 and console.width < 90)]
    table = Table(box=None, pad_edge=False, header_style="bold", collapse_padding=True)
    for i in keep:
        header = (
            HEADERS[i].replace(" of ", " of\n").replace(" vs ", " vs\n").replace(" MiB", "\nMiB")
        )
        table.add_column(header, justify="left" if i < 2 else "right", no_wrap=True)
    for cells in table_rows(report):
        style = {"yes": None, NA: "dim"}.get(cells[7], "red")
        table.add_row(*(cells[i] for i in keep), style=style)
    console.print(table)
    for line in filter(None, (ceiling_line(report), *findings(report))):
        console.print(line, markup=False)
    if chart and any(r.rows_per_s > 0 for r in report.results):
        from advisor.report.charts import draw_rows_per_s, render, rows_per_s_height

        width = min(console.width, 100)
        console.print()
        height = rows_per_s_height(report)
        text = render(draw_rows_per_s, report, width, height, console.is_terminal)
        click.echo(text, file=stream)


def print_sweep(sweep: SweepReport, stream: Any, *, chart: bool) -> None:
    from rich.table import Table

    from advisor.report import sweep as sweepreport

    console = output_console(stream)
    console.print(sweepreport.summary_line(sweep))
    console.print(sweepreport.sweep_network_line(sweep), markup=False)
    for title, rate in (("rows/s, median", True), ("seconds per run, median", False)):
        table = Table(
            box=None, pad_edge=False, header_style="bold", title=title, title_justify="left"
        )
        for i, header in enumerate(sweepreport.headers(sweep)):
            table.add_column(header, justify="left" if i == 0 else "right", no_wrap=True)
        for cells in sweepreport.table_rows(sweep, rate=rate):
            bad = any(cell in ("NO", "FAILED") for cell in cells)
            table.add_row(*cells, style="red" if bad else None)
        console.print()
        console.print(table)
    console.print()
    console.print("crossovers:", style="bold")
    lines = sweepreport.crossover_lines(sweep)
    for line in [*lines, *sweepreport.point_findings(sweep)]:
        console.print(f"  {line}", markup=False)
    if chart and any(sweep.series().values()):
        from advisor.report.charts import (
            draw_sweep_rows_per_s,
            draw_sweep_seconds,
            render,
            sweep_height,
        )

        for draw in (draw_sweep_rows_per_s, draw_sweep_seconds):
            console.print()
            text = render(
                draw, sweep, min(console.width, 100), sweep_height(sweep), console.is_terminal
            )
            click.echo(text, file=stream)


class BenchProgress:
    """On stderr: `preface`, the server and the round trip once a run starts, and a progress
    bar when it is a terminal (overall runs, rows of this run, and the volume in a sweep).

    The bar is redrawn only when an event arrives, and the runner emits events only while its
    clock is paused: rich's own 10 Hz refresh thread would compete with the timed insert for
    the GIL (measured: executemany and the ORM 8-10% slower with a terminal on stderr). The
    elapsed time therefore moves between batches, not during one.

    Nothing is printed before the start, so that an error found while preparing (DSN, server,
    table, sandbox) is the only line on stderr; after it, an error is the last line.
    """

    def __init__(self, *preface: str, server: bool = True) -> None:
        self.enabled = sys.stderr.isatty()
        self._preface = preface
        self._server = server  # False: a second run on a server already shown
        self._progress: Any = None
        self._announced = False
        self._point = ""

    def __enter__(self) -> BenchProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
                transient=True,
                auto_refresh=False,
            )
            self._progress.start()
            # Hidden until their totals are known: before that a bar reads "0/? 0:00:00".
            self._overall = self._progress.add_task("runs", total=None, visible=False)
            self._rows = self._progress.add_task("rows", total=None, visible=False)
        return self

    def handle(self, event: SweepEvent) -> None:
        if isinstance(event, BenchStarted) and not self._announced:
            from advisor.report.bench import network_line

            self._announced = True  # a sweep shows every point's round trip with the results
            lines = [*self._preface]
            if self._server:
                lines.append(f"server: {event.environment.target_description}")
                lines.append(network_line(event.plan, [event.environment]))
            for line in lines:
                if self._progress is None:
                    click.echo(line, err=True)
                else:  # above the live bars: written past them, it would be drawn over
                    self._progress.console.print(line, markup=False, highlight=False)
        if self._progress is None:
            return
        if isinstance(event, PointStarted):
            self._point = f"{format_count(event.rows)} rows ({event.index}/{event.points}) "
        elif isinstance(event, BenchStarted):
            self._progress.update(self._overall, total=event.steps, completed=0, visible=True)
        elif isinstance(event, Progress):
            phase = PHASE_LABELS[event.phase]
            self._progress.update(
                self._overall,
                description=f"{self._point}{event.label:<22} {phase} {event.run} of {event.runs}",
                completed=event.step,
            )
            self._progress.update(
                self._rows,
                description="  rows",
                total=event.rows_total,
                completed=event.rows_done,
                visible=True,
            )
        elif isinstance(event, RunFinished):
            self._progress.update(self._overall, completed=event.step)
        self._progress.refresh()

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
