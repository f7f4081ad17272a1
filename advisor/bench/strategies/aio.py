"""asyncio strategies: SQLAlchemy on asyncpg, asyncpg itself, psycopg 3's async COPY.

What a FastAPI or aiohttp service uses to insert without blocking its event loop. Each one
runs on its own event loop (`AsyncStrategy`), created when it opens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.bench.connections import async_engine, asyncpg_connect, psycopg_async_connect
from advisor.bench.data.datagen import Row
from advisor.bench.strategies.adapt import driver_row, register_str_dumpers
from advisor.bench.strategies.base import (
    RETURNING,
    UPSERT,
    AsyncStrategy,
    Returned,
    SQLAlchemyStatements,
)
from advisor.snippets.sql import (
    copy_lines,
    insert_lines,
    numbered_values_lines,
    staged_insert_lines,
    staging_lines,
    text,
)
from advisor.strategy_info import STRATEGIES, Layer

if TYPE_CHECKING:
    from advisor.bench.server import Target
    from advisor.bench.table import BenchTable


class SQLAlchemyAsyncStrategy(SQLAlchemyStatements, AsyncStrategy):
    """A strategy on a SQLAlchemy AsyncEngine over one asyncpg connection; its statements
    are the synchronous strategies' (`SQLAlchemyStatements`), as its snippet's are."""

    engine: Any = None

    def open(self) -> None:
        # Reflected over psycopg before the clock: the Table and its mapping are engine-free.
        _ = self.model if self.info.layer is Layer.ORM else self.table.sa_table
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
    Upserts go through `await AsyncSession.merge()`, as `orm_add_all`'s: a SELECT per row.
    """

    info = STRATEGIES["async_orm_add_all"]
    forms = frozenset({UPSERT, RETURNING})
    ids_in_order = True  # each object gets its own ids
    consumes_input = True

    @property
    def model(self) -> type[Any]:
        w = self.table.writes
        if not w.upserting:
            return self.table.model
        return self.table.eager_merge_model if w.returning else self.table.merge_model

    async def ainsert(self, batches: Iterable[list[Any]]) -> Returned | None:
        from sqlalchemy.ext.asyncio import AsyncSession

        w = self.table.writes
        ids: Returned | None = [] if w.returning else None
        async with AsyncSession(self.engine) as session:
            for batch in batches:
                session.expunge_all()  # the previous batch is flushed; keeps memory bounded
                if w.upserting:
                    with session.no_autoflush:  # as the snippet: flushed together below
                        objs = [await session.merge(obj) for obj in batch]
                else:
                    session.add_all(batch)
                    objs = batch
                await session.flush()
                if ids is not None:  # read before the next expunge_all detaches them
                    ids += [self.generated(getattr(o, n) for n in w.returned) for o in objs]
            await session.commit()
        return ids


class AsyncCoreExecute(SQLAlchemyAsyncStrategy):
    """SQLAlchemy `await conn.execute(insert(table), dicts)` on an AsyncConnection (asyncpg).

    Use it for structured async writes that need no ORM objects: SQLAlchemy batches the rows
    into multi-row INSERTs (insertmanyvalues), with ON CONFLICT and RETURNING as
    `core_execute` has them.
    """

    info = STRATEGIES["async_core_execute"]
    forms = frozenset({UPSERT, RETURNING})
    ids_in_order = True  # sort_by_parameter_order=True, or paired with the rows by key

    async def ainsert(self, batches: Iterable[list[Any]]) -> Returned | None:
        table = self.table.sa_table
        stmt = self.statement(table, table.c)
        ids: Returned | None = [] if self.table.writes.returning else None
        async with self.engine.begin() as conn:
            for batch in batches:
                if ids is None:
                    await conn.execute(stmt, batch)
                else:
                    ids += self.returned_ids(await conn.execute(stmt, batch), batch)
        return ids


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
    forms = frozenset({UPSERT})
    no_form: ClassVar[Mapping[str, str]] = {
        RETURNING: "asyncpg's executemany discards what RETURNING returns (it returns None)",
    }
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
        w = self.table.writes
        sql = text(insert_lines(w, numbered_values_lines(w)))
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
    forms: ClassVar[frozenset[str]] = frozenset()  # none of executemany's
    no_form: ClassVar[Mapping[str, str]] = {
        UPSERT: "copy_records_to_table COPYs straight into the table, and COPY has no"
        " ON CONFLICT (psycopg_async_copy upserts through a staging table)",
        RETURNING: "copy_records_to_table returns COPY's status, not the generated ids"
        " (psycopg_async_copy returns them through a staging table)",
    }

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
    `driver_copy_binary`, awaited. It stores every value exactly. For upserts and returned
    ids COPY loads a staging table and one INSERT ... SELECT writes it to the table.
    """

    info = STRATEGIES["psycopg_async_copy"]
    forms = frozenset({UPSERT, RETURNING})
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

    async def ainsert(self, batches: Iterable[list[Any]]) -> Returned | None:
        w = self.table.writes
        ids: Returned | None = None
        async with self.conn.cursor() as cur:
            if w.staged:
                await cur.execute(text(staging_lines(w)))
            async with cur.copy(text(copy_lines(w, " (FORMAT BINARY)"))) as copy:
                copy.set_types(self.table.type_oids)  # the staging table's are the same
                for batch in batches:
                    for row in batch:
                        await copy.write_row(row)
            if w.staged:
                await cur.execute(text(staged_insert_lines(w)))
                if w.returning:
                    ids = list(map(self.generated, await cur.fetchall()))
        await self.conn.commit()
        return ids

    async def aclose(self) -> None:
        if self.conn is not None:
            await self.conn.close()
