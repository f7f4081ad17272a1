"""Connections for the libraries beyond psycopg 3, each with the session settings of
`Target.connect` (UTC timestamps, the application name, the connect timeout).

psycopg2 and ADBC hand a connection string to libpq, so they take the key=value string
`Target.session_conninfo` makes. asyncpg has its own protocol code and parser: it gets
libpq's keywords one by one, and the session settings as `server_settings`. The libraries
are imported here, inside the functions: a strategy calls these from its untimed `open()`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from advisor.bench.server import APPLICATION_NAME, CONNECT_TIMEOUT_S, SESSION_TIMEZONE

if TYPE_CHECKING:
    from advisor.bench.server import Target

# libpq keyword -> asyncpg.connect() argument, for those that mean the same.
_ASYNCPG_ARGS = {
    "user": "user",
    "password": "password",
    "dbname": "database",
    "passfile": "passfile",
    "sslmode": "ssl",  # asyncpg takes libpq's sslmode names as `ssl`
}
# `-c name=value` settings inside libpq's `options`
_SETTING = re.compile(r"-c\s*([\w.]+)=(\S+)")


def psycopg2_connect(target: Target) -> Any:
    import psycopg2

    return psycopg2.connect(target.session_conninfo())


def adbc_connect(target: Target) -> Any:
    """An ADBC DB-API connection (autocommit off: the driver BEGINs, the caller commits)."""
    import adbc_driver_postgresql.dbapi

    return adbc_driver_postgresql.dbapi.connect(target.session_conninfo())


def asyncpg_arguments(params: dict[str, Any]) -> dict[str, Any]:
    """libpq keywords -> asyncpg.connect() keyword arguments.

    A host that is a directory is a unix socket for both. Several hosts (`host=a,b`) become
    lists, as asyncpg takes them. libpq's `options` become server settings.
    """
    args: dict[str, Any] = {
        asyncpg: params[k] for k, asyncpg in _ASYNCPG_ARGS.items() if k in params
    }
    if not args.get("password"):
        args.pop("password", None)  # an empty password in a URI means none
    if params.get("host"):
        hosts = str(params["host"]).split(",")
        args["host"] = hosts if len(hosts) > 1 else hosts[0]
    if params.get("port"):
        ports = [int(p) for p in str(params["port"]).split(",")]
        args["port"] = ports if len(ports) > 1 else ports[0]
    args["timeout"] = float(params.get("connect_timeout") or CONNECT_TIMEOUT_S)
    settings = dict(_SETTING.findall(str(params.get("options") or "")))
    settings["TimeZone"] = SESSION_TIMEZONE
    settings["application_name"] = str(params.get("application_name") or APPLICATION_NAME)
    args["server_settings"] = settings
    return args


async def asyncpg_connect(target: Target) -> Any:
    import asyncpg

    return await asyncpg.connect(**asyncpg_arguments(target.session_params()))


async def psycopg_async_connect(target: Target) -> Any:
    import psycopg

    return await psycopg.AsyncConnection.connect(target.session_conninfo())


def async_engine(target: Target) -> Any:
    """A SQLAlchemy AsyncEngine on asyncpg holding one connection, made by `asyncpg_connect`
    so that it has the same settings (SQLAlchemy >= 2.0.16 takes an async_creator)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(
        "postgresql+asyncpg://", async_creator=lambda: asyncpg_connect(target), pool_size=1
    )
