"""Click parameter types and option groups shared by the commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from advisor.errors import AdvisorError, InputError
from advisor.limits import MAX_BENCH_ROWS
from advisor.strategy_info import parse_strategy_ids
from advisor.tables import check_table_name
from advisor.units import parse_count, parse_share


class CountType(click.ParamType):  # type: ignore[type-arg]
    """A positive row count for one benchmark run: 500, 10k, 2M, 1e6."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            what = param.name if param and param.name else "count"
            return parse_count(value, what=what, maximum=MAX_BENCH_ROWS)
        except InputError as exc:
            self.fail(str(exc), param, ctx)


class VolumeRangeType(click.ParamType):  # type: ignore[type-arg]
    """`FROM..TO`, two row counts for a sweep: 100..1M, 1k..100k."""

    name = "FROM..TO"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        low, sep, high = str(value).partition("..")
        if not sep:
            self.fail(f"expected FROM..TO such as 100..1M, not {value!r}", param, ctx)
        try:
            bounds = (
                parse_count(low, what="FROM", maximum=MAX_BENCH_ROWS),
                parse_count(high, what="TO", maximum=MAX_BENCH_ROWS),
            )
        except InputError as exc:
            self.fail(str(exc), param, ctx)
        if bounds[0] >= bounds[1]:
            self.fail(f"FROM must be below TO, not {value!r}", param, ctx)
        return bounds


class MillisecondsType(click.ParamType):  # type: ignore[type-arg]
    """A round trip in milliseconds: 0, 0.5, 10, up to limits.MAX_RTT_MS."""

    name = "MS"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        from advisor.bench.latency import check_rtt_ms  # the proxy's modules only when asked for

        try:
            return check_rtt_ms(float(value))
        except ValueError:
            self.fail(
                f"expected a number of milliseconds such as 10 or 0.5, not {value!r}", param, ctx
            )
        except InputError as exc:
            self.fail(str(exc), param, ctx)


class ShareType(click.ParamType):  # type: ignore[type-arg]
    """A share from 0 to 1: 0, 0.25, 1."""

    name = "SHARE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            return parse_share(str(value), what=param.name if param and param.name else "share")
        except InputError as exc:
            self.fail(str(exc), param, ctx)


class TableNameType(click.ParamType):  # type: ignore[type-arg]
    """`schema.name` or `name`, as SQL spells it; refused only when no table can be called so."""

    name = "SCHEMA.NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_table_name(str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)


class StrategiesType(click.ParamType):  # type: ignore[type-arg]
    """Strategy ids and group names (sync, dataframe, async, psycopg2, all), comma-separated."""

    name = "GROUP|ID,..."

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> list[str]:
        if isinstance(value, list):
            return value
        try:
            return parse_strategy_ids(str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)


def output_path(value: str | None, what: str) -> str | None:
    """Check before any work that an output file can be written ('-' is stdout): an existing
    file is opened for writing (not truncated), a new one created and removed again. Devices
    and pipes are taken as they are: opening a pipe without a reader would block."""
    if value is None or value == "-":
        return value
    path = Path(value).expanduser()
    try:
        if path.is_dir():
            raise click.BadParameter(f"{value!r} is a directory", param_hint=what)
        parent = path.resolve().parent
        if not parent.is_dir():
            raise click.BadParameter(f"directory {str(parent)!r} does not exist", param_hint=what)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            path.unlink()
        elif path.is_file():
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {value!r}: {exc.strerror or exc}", param_hint=what
        ) from None
    return value


def write_output(value: str, text: str) -> None:
    if value == "-":
        click.echo(text, nl=False)
    else:
        Path(value).expanduser().write_text(text, encoding="utf-8")


def write_all(*writes: tuple[str, Callable[[], object]]) -> None:
    """Run every (what, write), also after one failed: the results are shown by now and one
    file that cannot be written must not lose the others. Failures make one line, exit 1."""
    failed = []
    for what, write in writes:
        try:
            write()
        except OSError as exc:
            failed.append(f"{what}: {exc.strerror or exc}")
    if failed:
        raise AdvisorError(f"could not write {'; '.join(failed)}")


COUNT = CountType()
VOLUME_RANGE = VolumeRangeType()
MILLISECONDS = MillisecondsType()
STRATEGY_LIST = StrategiesType()
TABLE_NAME = TableNameType()
SHARE = ShareType()

dsn_option = click.option(
    "--dsn",
    metavar="DSN",
    help="PostgreSQL to use (libpq URI or key=value). Default: $ADVISOR_DSN, else "
    "$DATABASE_URL, else a throwaway embedded server.",
)


def save_options(command: Any) -> Any:
    """`--save FILE.toml` and `--force`, shared by the commands that make a profile."""
    command = click.option("--force", is_flag=True, help="Replace an existing profile file.")(
        command
    )
    return click.option(
        "--save",
        metavar="FILE.toml",
        help="Save the whole decision as a profile (see `advisor profiles`, `advisor rerun`).",
    )(command)


def check_save_path(value: str | None, force: bool) -> None:
    """Refuse before any work what saving would refuse after it."""
    if value is None:
        return
    output_path(value, "--save")
    if not value.endswith(".toml"):
        raise click.BadParameter(f"{value!r} should end in .toml", param_hint="--save")
    if Path(value).expanduser().exists() and not force:
        raise click.BadParameter(
            f"{value!r} already exists; add --force to replace it", param_hint="--save"
        )
