"""The server's own ingest ceiling: the same rows, loaded with no Python in the loop.

On a local server (embedded, or a socket/localhost DSN with the right to read server files)
the rows are dumped once to a binary file that the server then loads with `COPY ... FROM
'file'`. Elsewhere the rows are copied into a staging table inside the server and timed with
`INSERT ... SELECT`. Either way the timed runs are verified like any strategy's.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.bench.strategies import create
from advisor.errors import first_line
from advisor.results import CeilingResult

if TYPE_CHECKING:
    import psycopg

    from advisor.bench.session import Session

SERVER_FILE = "COPY FROM server file (binary)"
STAGING = "INSERT ... SELECT from a staging table"


def measure(session: Session) -> CeilingResult:
    import psycopg

    table = session.table
    try:
        _load_once(session)
    except (psycopg.Error, ValueError, OverflowError) as exc:
        # driver_copy_binary's own runs report the same problem as a finding.
        table.reset(checkpoint=False)
        reason = first_line(exc)
        return CeilingResult(
            method=SERVER_FILE,
            rows=session.plan.rows,
            note=f"binary COPY could not load the rows to measure it: {reason}",
        )
    with tempfile.TemporaryDirectory(prefix="advisor-ceiling-") as tmp:
        sql = _server_file_sql(session, Path(tmp))
        conn = session.target.connect()
        try:
            result = None
            if sql is not None:
                result = CeilingResult(method=SERVER_FILE, rows=session.plan.rows)
                try:
                    result.verified = _timed_runs(session, conn, sql, result)
                except (psycopg.errors.UndefinedFile, psycopg.errors.InsufficientPrivilege):
                    # The server cannot see our file (it runs in a container, say): found by
                    # its first load, which would otherwise have been a trial load of its own.
                    conn.rollback()
                    _load_once(session)  # the staging table is copied from the table
                    result = None
            if result is None:
                note = "server files not readable from here: measured inside the server instead"
                result = CeilingResult(method=STAGING, rows=session.plan.rows, note=note)
                result.verified = _timed_runs(session, conn, _staging_sql(session), result)
        finally:
            conn.close()
    table.reset(checkpoint=False)
    return result


def _load_once(session: Session) -> None:
    """Put the input rows into the table from Python (untimed) so the server can dump them."""
    session.table.reset(checkpoint=False)
    loader = create("driver_copy_binary", session.target, session.table)
    loader.open()
    try:
        loader.insert(loader.prepare(batch) for batch in session.feed.batches())
    finally:
        loader.close()


def _can_read_server_files(admin: psycopg.Connection[Any]) -> bool:
    row = admin.execute(
        "SELECT rolsuper OR pg_has_role(current_user, 'pg_read_server_files', 'MEMBER')"
        " FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    return bool(row and row[0])


def _server_file_sql(session: Session, tmp: Path) -> str | None:
    table, admin = session.table, session.table.sandbox.admin
    if not session.target.is_local or not _can_read_server_files(admin):
        return None
    path = tmp / "rows.bin"
    with open(path, "wb") as out, admin.cursor() as cur:
        query = (
            f"COPY (SELECT {table.column_list} FROM {table.qualified}) TO STDOUT (FORMAT BINARY)"
        )
        with cur.copy(query) as copy:
            for data in copy:
                out.write(data)
    # The server may run as another OS user (pgserver does when we are root).
    tmp.chmod(0o755)
    path.chmod(0o644)
    literal = "'" + str(path).replace("'", "''") + "'"
    return f"COPY {table.qualified} ({table.column_list}) FROM {literal} (FORMAT BINARY)"


def _staging_sql(session: Session) -> str:
    table, sandbox = session.table, session.table.sandbox
    staging = sandbox.qualified(f"{table.name}_ceiling_source")
    sandbox.admin.execute(
        f"CREATE TABLE {staging} AS SELECT {table.column_list} FROM {table.qualified}"
    )
    columns = table.column_list
    return f"INSERT INTO {table.qualified} ({columns}) SELECT {columns} FROM {staging}"


def _timed_runs(
    session: Session, conn: psycopg.Connection[Any], sql: str, result: CeilingResult
) -> bool:
    from advisor.bench.events import Progress

    plan, verified = session.plan, True
    for phase, runs in (("warmup", plan.warmup), ("run", plan.repeat)):
        for run in range(1, runs + 1):
            session.check_cancel()
            session.table.reset(checkpoint=phase == "run")
            session.emit(
                Progress("ceiling", phase, run, runs, 0, plan.rows, session.step, session.steps)
            )
            t0 = time.perf_counter()
            conn.execute(sql)
            conn.commit()
            seconds = time.perf_counter() - t0
            ok, problem = session.verify()
            verified = verified and ok
            result.note = result.note or problem
            if phase == "run":
                result.runs_s.append(seconds)
            session.finish_run("ceiling", phase, run, runs, seconds, ok)
    return verified
