"""Short, runnable Python for a strategy, written for a table and the user's answers.

Each snippet defines `insert_rows(engine_or_conn, rows)` (or `load_csv(conn, path)` for a CSV
file) that takes the rows in the workload's shape (a pandas DataFrame `df` for the dataframe
shape), converts them only if the strategy needs another shape, inserts, commits, and returns
what the database generated when `returning` is asked for. An asyncio strategy's function is
`async def`; a DataFrame path asked for inside an event loop runs in a worker thread.

The table is described by a `SnippetTable` (see `advisor.snippets.table`): by default the built-in
standard table, which the code spells out (it gains what upserts and generated ids need: an
identity key and a unique email, the conflict target); or a user's table read from the
server's catalogs (`advisor recommend --table`), whose column names, types and keys shape the
code, and which SQLAlchemy reflects rather than the code spelling it out. The tests run every
variant against a real server, for both kinds.
"""

from __future__ import annotations

from collections.abc import Callable

from advisor.errors import InputError
from advisor.snippets.aio import (
    async_core_execute,
    async_orm_add_all,
    asyncpg_copy,
    asyncpg_executemany,
    psycopg_async_copy,
)
from advisor.snippets.code import Code
from advisor.snippets.dataframe import (
    adbc_ingest,
    pandas_copy,
    pandas_to_sql,
    pandas_to_sql_multi,
    polars_adbc,
)
from advisor.snippets.psycopg import (
    driver_copy,
    driver_copy_binary,
    driver_executemany,
    driver_unnest,
)
from advisor.snippets.psycopg2 import psycopg2_copy_expert, psycopg2_execute_values
from advisor.snippets.sqlalchemy import (
    core_execute,
    orm_add_all,
    orm_bulk_insert,
    orm_bulk_save_objects,
)
from advisor.snippets.table import STANDARD_TABLE, SnippetTable
from advisor.workload import Workload


def snippet(strategy: str, workload: Workload, table: SnippetTable = STANDARD_TABLE) -> str:
    """The code of `strategy` for this workload (any recommendable strategy) and table."""
    if workload.returning and not table.returned:
        raise InputError(
            f"--returning: the database fills in no column of {table.name} (no identity, "
            "serial or generated column), so there are no ids to return"
        )
    return BUILDERS[strategy](Code(workload, table))


BUILDERS: dict[str, Callable[[Code], str]] = {
    "orm_add_all": orm_add_all,
    "orm_bulk_save_objects": orm_bulk_save_objects,
    "orm_bulk_insert": orm_bulk_insert,
    "core_execute": core_execute,
    "driver_executemany": driver_executemany,
    "driver_copy": driver_copy,
    "driver_copy_binary": driver_copy_binary,
    "driver_unnest": driver_unnest,
    "pandas_to_sql": pandas_to_sql,
    "pandas_to_sql_multi": pandas_to_sql_multi,
    "pandas_copy": pandas_copy,
    "polars_adbc": polars_adbc,
    "adbc_ingest": adbc_ingest,
    "async_orm_add_all": async_orm_add_all,
    "async_core_execute": async_core_execute,
    "asyncpg_executemany": asyncpg_executemany,
    "asyncpg_copy": asyncpg_copy,
    "psycopg_async_copy": psycopg_async_copy,
    "psycopg2_execute_values": psycopg2_execute_values,
    "psycopg2_copy_expert": psycopg2_copy_expert,
}
