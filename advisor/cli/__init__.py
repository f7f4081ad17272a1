"""The `advisor` command line: argument parsing only; the work happens in the domain modules.

Exit codes: 0 ok, 1 failure, 2 usage or input error (one line on stderr), 130 interrupted.
"""

from __future__ import annotations

import errno
import importlib
import io
import logging
import os
import sys

import click

from advisor import __version__
from advisor.cli.interrupts import Interrupts, hold_after_exit_handlers
from advisor.errors import AdvisorError, Cancelled

# Each command's module is imported when that command is run or listed: the app (no command)
# then starts without them, which is ~70 ms of its first paint.
_COMMANDS = {
    "recommend": ("advisor.cli.recommend", "recommend"),
    "bench": ("advisor.cli.bench", "bench"),
    "rerun": ("advisor.cli.profiles", "rerun"),
    "profiles": ("advisor.cli.profiles", "list_profiles"),
    "strategies": ("advisor.cli.bench", "strategies"),
    "calibrate": ("advisor.cli.calibrate", "calibrate"),
}


class _AdvisorGroup(click.Group):
    """`advisor PROFILE.toml` opens a profile in the app: a path is not a command name. The
    commands are loaded when used (`_COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, name = _COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), name)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = list(args)
        i = 0
        while i < len(rest):
            if rest[i] == "--dsn":
                i += 2
                continue
            if rest[i].startswith("-") or rest[i] in _COMMANDS:
                break
            if rest[i].endswith(".toml"):
                ctx.meta["profile"] = rest.pop(i)
            break
        return super().parse_args(ctx, rest)


@click.group(
    cls=_AdvisorGroup,
    invoke_without_command=True,
    subcommand_metavar="[PROFILE.toml] | COMMAND [ARGS]...",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="pg-insert-advisor")
@click.option(
    "--dsn", metavar="DSN", help="PostgreSQL for the app's benchmarks (default: embedded)."
)
@click.pass_context
def cli(ctx: click.Context, dsn: str | None) -> None:
    """Choose how to insert rows into PostgreSQL from Python, then prove it.

    Without a command, opens the interactive app (on PROFILE.toml when given), which needs
    a terminal. The commands below do the same headless, for scripts and CI. Benchmarks run
    on a throwaway embedded PostgreSQL unless --dsn, $ADVISOR_DSN or $DATABASE_URL name a
    server.
    """
    if ctx.invoked_subcommand is None:
        profile = ctx.meta.get("profile")
        if profile is not None:
            from advisor.profiles.profile import load_file

            load_file(profile)  # a broken profile is one line now, not a dialog in the app
        if dsn is not None:
            from advisor.bench.server import Target

            Target.resolve(dsn)  # a malformed DSN is a usage error now, not in the app
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise click.UsageError(
                "the app needs a terminal (stdin and stdout); without one use "
                "`advisor recommend` or `advisor bench`"
            )
        from advisor.tui.app import run_app

        run_app(dsn=dsn, profile_path=profile)


# Writing stdout failed for want of room or of a working device (e.g. stdout is /dev/full).
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def _command_name(argv: list[str]) -> str:
    sub = next((a for a in argv if not a.startswith("-")), None)
    return f"advisor {sub}" if sub in _COMMANDS else "advisor"


def _fail(name: str, message: str) -> None:
    # A mistyped, unquoted DSN ends up in click's messages: never echo a password.
    from advisor.secrets import mask

    click.echo(f"{name}: {mask(message)}", err=True)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    # When an INSERT or COPY fails, psycopg logs a second error met while ending the pipeline
    # or the COPY; the first one is what we report (as a finding or as the one error line).
    logging.getLogger("psycopg").setLevel(logging.ERROR)
    # A stream the shell closed (`<&-`, `>&-`) arrives as None: read nothing from it and write
    # nowhere, as click.echo already does, rather than fail on None.
    for stream in ("stdin", "stdout", "stderr"):
        if getattr(sys, stream) is None:
            mode = "r" if stream == "stdin" else "w"
            setattr(sys, stream, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115
    if isinstance(sys.stdout, io.TextIOWrapper):
        # Output holds signs beyond ASCII (times, dashes, micro): where they cannot be shown,
        # PYTHONIOENCODING=ascii say, they become '?' rather than a crash.
        sys.stdout.reconfigure(errors="replace")
    interrupts = Interrupts()
    interrupts.install()
    if argv is None:
        hold_after_exit_handlers()
    name = _command_name(args)
    code = 0
    try:
        try:
            code = _run(args, name)
            sys.stdout.flush()  # a full disk is reported here, not by the interpreter's exit
        except BrokenPipeError:
            # stdout closed early (e.g. piped to `head`): not an error worth a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = 1
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            if code == 0:  # else the command has reported its own failure: one line only
                _fail(name, f"cannot write the output: {exc.strerror}")
                code = 1
            # What is still buffered would fail again when the interpreter exits.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        finally:
            # Called by a test, the process goes on and gets its handlers back.
            interrupts.restore(leaving=argv is None)
    except KeyboardInterrupt:
        # The signal landed after the work was done (and cleaned up), before the handlers
        # that end the process were in: interrupted all the same, not a traceback or -2.
        code = 130
    sys.exit(code)


def _run(args: list[str], name: str) -> int:
    """The command's exit code; its errors are reported as one line."""
    try:
        result = cli.main(args=args, prog_name="advisor", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.UsageError as exc:
        _fail(name, f"{exc.format_message()} (see '{name} --help')")
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        _fail(name, exc.format_message())
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt, Cancelled):
        _fail(f"\n{name}", "interrupted; the sandbox was cleaned up")
        return 130
    except AdvisorError as exc:
        _fail(name, str(exc))
        return exc.exit_code
