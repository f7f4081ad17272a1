"""asyncio strategies: SQLAlchemy on asyncpg, asyncpg itself, psycopg 3's async COPY.

What a FastAPI or aiohttp service uses to insert without blocking its event loop. Each one
runs on its own event loop (`AsyncStrategy`), created when it opens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from advisor.bench.connections import async_engine, asyncpg_connect, psycopg_async_connect
from advisor.bench.data.datagen import Row
from advisor.bench.strategies.adapt import driver_row, register_str_dumpers
from advisor.bench.strategies.base import AsyncStrategy
from advisor.strategy_info import STRATEGIES, Layer

if TYPE_CHECKING:
    from advisor.bench.server import Target
    from advisor.bench.table import BenchTable


class SQLAlchemyAsyncStrategy(AsyncStrategy):
    """A strategy on a SQLAlchemy AsyncEngine over one asyncpg connection."""

    engine: Any = None

    def open(self) -> None:
        # Reflected over psycopg before the clock: the Table and its mapping are engine-free.
        _ = self.table.model if self.info.layer is Layer.ORM else self.table.sa_table
        super().open()

    async def aopen(self) -> None:
        self.engine = async_engine(self.target)
        async with self.engine.connect() as conn:  # the dialect initialises on first connect
            await conn.exec_driver_sql("SELECT 1")

    async def aclose(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()


class AsyncOrmAddAll(SQLAlchemyAsyncStrategy):
    """SQLAlchemy `AsyncSession.add_all` + `await session.commit()`, on asyncpg.

    Use it in asyncio applications that write through the ORM: the unit of work of
    `orm_add_all` (validation, relationships, events), awaited instead of blocking.
    """

    info = STRATEGIES["async_orm_add_all"]

    async def ainsert(self, batches: Iterable[list[Any]]) -> None:
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(self.engine) as session:
            for batch in batches:
                session.expunge_all()  # the previous batch is flushed; keeps memory bounded
                session.add_all(batch)
                await session.flush()
            await session.commit()


class AsyncCoreExecute(SQLAlchemyAsyncStrategy):
    """SQLAlchemy `await conn.execute(insert(table), dicts)` on an AsyncConnection (asyncpg).

    Use it for structured async writes that need no ORM objects: SQLAlchemy batches the rows
    into multi-row INSERTs (insertmanyvalues).
    """

    info = STRATEGIES["async_core_execute"]

    async def ainsert(self, batches: Iterable[list[Any]]) -> None:
        from sqlalchemy import insert

        stmt = insert(self.table.sa_table)
        async with self.engine.begin() as conn:
            for batch in batches:
                await conn.execute(stmt, batch)


def _jsonb_encode(value: Any) -> bytes:
    return b"\x01" + json.dumps(value).encode()  # jsonb's binary form: version 1, then text


def _jsonb_decode(data: bytes) -> Any:
    return json.loads(data[1:])


def _json_encode(value: Any) -> bytes:
    return json.dumps(value).encode()


class AsyncpgExecutemany(AsyncStrategy):
    """asyncpg `Connection.executemany` of a `$1, $2, ...` INSERT, in one transaction.

    Use it in asyncio code that needs plain INSERT semantics (ON CONFLICT) at speed: one
    prepared statement, the executions pipelined. asyncpg stores `date.min`/`date.max` and
    `datetime.min`/`datetime.max` as -infinity/infinity.
    """

    info = STRATEGIES["asyncpg_executemany"]
    conn: Any = None

    async def aopen(self) -> None:
        self.conn = await asyncpg_connect(self.target)
        # asyncpg takes JSON only as text: let it take Python values, as psycopg's Jsonb and
        # SQLAlchemy's JSON type do. In binary: a text codec would replace asyncpg's binary one,
        # which its COPY needs ("no binary format encoder for type jsonb").
        for name, encode, decode in (
            ("jsonb", _jsonb_encode, _jsonb_decode),
            ("json", _json_encode, json.loads),
        ):
            await self.conn.set_type_codec(
                name, encoder=encode, decoder=decode, schema="pg_catalog", format="binary"
            )

    async def ainsert(self, batches: Iterable[list[Any]]) -> None:
        table = self.table
        marks = ", ".join(f"${i}" for i in range(1, len(table.names) + 1))
        sql = f"INSERT INTO {table.qualified} ({table.column_list}) VALUES ({marks})"
        async with self.conn.transaction():
            for batch in batches:
                await self.conn.executemany(sql, batch)

    async def aclose(self) -> None:
        if self.conn is not None:
            await self.conn.close()


class AsyncpgCopy(AsyncpgExecutemany):
    """asyncpg `copy_records_to_table`: binary COPY of tuples, types read from the table.

    Use it for bulk loads in asyncio code: the fastest async path. No ON CONFLICT, no ids.
    """

    info = STRATEGIES["asyncpg_copy"]

    async def ainsert(self, batches: Iterable[list[Any]]) -> None:
        table = self.table
        async with self.conn.transaction():
            for batch in batches:
                # asyncpg quotes the table name whole: the schema goes separately.
                await self.conn.copy_records_to_table(
                    table.name, records=batch, columns=list(table.names), schema_name=table.schema
                )


class PsycopgAsyncCopy(AsyncStrategy):
    """psycopg 3 `AsyncConnection`: `COPY ... FROM STDIN (FORMAT BINARY)` with set_types.

    Use it for bulk loads in asyncio code that already uses psycopg 3: the same COPY as
    `driver_copy_binary`, awaited. It stores every value exactly.
    """

    info = STRATEGIES["psycopg_async_copy"]
    conn: Any = None

    def __init__(self, target: Target, table: BenchTable) -> None:
        super().__init__(target, table)
        self.convert = driver_row(table.spec)  # None for plain types: rows go as they are

    async def aopen(self) -> None:
        self.conn = await psycopg_async_connect(self.target)
        register_str_dumpers(self.conn, self.table.spec, self.table.sandbox.admin)
        _ = self.table.type_oids

    def prepare(self, rows: list[Row]) -> list[Any]:
        return rows if self.convert is None else list(map(self.convert, rows))

    async def ainsert(self, batches: Iterable[list[Any]]) -> None:
        table = self.table
        sql = f"COPY {table.qualified} ({table.column_list}) FROM STDIN (FORMAT BINARY)"
        async with self.conn.cursor() as cur, cur.copy(sql) as copy:
            copy.set_types(table.type_oids)
            for batch in batches:
                for row in batch:
                    await copy.write_row(row)
        await self.conn.commit()

    async def aclose(self) -> None:
        if self.conn is not None:
            await self.conn.close()
