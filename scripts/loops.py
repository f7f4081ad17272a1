"""Hand-written insert loops, one per strategy id of `advisor bench`: the reference the
runner is held to (`make bench`, scripts/fidelity.py).

Each is what a reader of the libraries' documentation would write for the standard table
(`bigint PRIMARY KEY` + name, email, score, active, created_at), with nothing taken from
the tool: no `advisor` import here, its own DDL, model, SQL and connections. A loop takes
rows as plain tuples, builds its native input (objects, dicts, a DataFrame, an Arrow
table) off the clock, and `insert` is what is timed: the insert and its commit.

Run alone: `python scripts/loops.py --dsn DSN [--rows 20000] [STRATEGY ...]`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import io
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

TABLE = "loop_rows"
COLUMNS = ("id", "name", "email", "score", "active", "created_at")
DDL = (
    f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL,"
    " score double precision, active boolean NOT NULL, created_at timestamptz NOT NULL)"
)
INSERT_PARAMS = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)"
COPY_TEXT = f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN"
COPY_BINARY = f"{COPY_TEXT} (FORMAT BINARY)"
COPY_TYPES = ["bigint", "text", "text", "double precision", "boolean", "timestamptz"]
Row = tuple[Any, ...]


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = TABLE
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    email: Mapped[str] = mapped_column(sa.Text)
    score: Mapped[float | None] = mapped_column(sa.Double)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


# What a Core user declares (no ORM class).
CORE_TABLE = sa.Table(
    TABLE,
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("score", sa.Double),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def sa_url(dsn: str, driver: str) -> str:
    return f"postgresql+{driver}://" + dsn.split("://", 1)[1]


class Loop:
    """One strategy: `setup` once; per run `build` (untimed), then `insert` (timed)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def setup(self) -> None:
        """Connect."""

    def build(self, rows: list[Row]) -> Any:
        return rows

    def insert(self, data: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Disconnect."""


# --- SQLAlchemy, sync ------------------------------------------------------------------


class Engine(Loop):
    def setup(self) -> None:
        self.engine = sa.create_engine(sa_url(self.dsn, "psycopg"))

    def close(self) -> None:
        self.engine.dispose()


class OrmAddAll(Engine):
    def build(self, rows: list[Row]) -> list[Item]:
        return [Item(**dict(zip(COLUMNS, r, strict=True))) for r in rows]

    def insert(self, data: list[Item]) -> None:
        with Session(self.engine) as session:
            session.add_all(data)
            session.commit()


class OrmBulkSaveObjects(OrmAddAll):
    def insert(self, data: list[Item]) -> None:
        with Session(self.engine) as session:
            session.bulk_save_objects(data)
            session.commit()


def as_dicts(rows: list[Row]) -> list[dict[str, Any]]:
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


class OrmBulkInsert(Engine):
    def build(self, rows: list[Row]) -> list[dict[str, Any]]:
        return as_dicts(rows)

    def insert(self, data: list[dict[str, Any]]) -> None:
        with Session(self.engine) as session:
            session.execute(sa.insert(Item), data)
            session.commit()


class CoreExecute(Engine):
    def build(self, rows: list[Row]) -> list[dict[str, Any]]:
        return as_dicts(rows)

    def insert(self, data: list[dict[str, Any]]) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(CORE_TABLE), data)


# --- psycopg 3 -------------------------------------------------------------------------


class Psycopg(Loop):
    def setup(self) -> None:
        self.conn = psycopg.connect(self.dsn)

    def close(self) -> None:
        self.conn.close()


class DriverExecutemany(Psycopg):
    def insert(self, data: list[Row]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(INSERT_PARAMS, data)
        self.conn.commit()


class DriverCopy(Psycopg):
    def insert(self, data: list[Row]) -> None:
        with self.conn.cursor() as cur, cur.copy(COPY_TEXT) as copy:
            for row in data:
                copy.write_row(row)
        self.conn.commit()


class DriverCopyBinary(Psycopg):
    def insert(self, data: list[Row]) -> None:
        with self.conn.cursor() as cur, cur.copy(COPY_BINARY) as copy:
            copy.set_types(COPY_TYPES)
            for row in data:
                copy.write_row(row)
        self.conn.commit()


class DriverUnnest(Psycopg):
    SQL = (
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT * FROM unnest("
        "%s::bigint[], %s::text[], %s::text[], %s::float8[], %s::bool[], %s::timestamptz[])"
    )

    def insert(self, data: list[Row]) -> None:
        with self.conn.cursor() as cur:
            for start in range(0, len(data), 10_000):  # the tool's statement size
                cur.execute(
                    self.SQL, [list(c) for c in zip(*data[start : start + 10_000], strict=True)]
                )
        self.conn.commit()


# --- DataFrames --------------------------------------------------------------------------


class PandasToSql(Engine):
    method: str | Callable[..., Any] | None = None
    chunksize: int | None = None

    def build(self, rows: list[Row]) -> Any:
        import pandas as pd

        return pd.DataFrame.from_records(rows, columns=COLUMNS)

    def insert(self, data: Any) -> None:
        with self.engine.begin() as conn:
            data.to_sql(
                TABLE,
                conn,
                if_exists="append",
                index=False,
                method=self.method,
                chunksize=self.chunksize,
            )


class PandasToSqlMulti(PandasToSql):
    method = "multi"
    chunksize = 1_000


def copy_rows(table: Any, conn: Any, keys: list[str], data_iter: Iterator[Row]) -> int:
    """pandas' insertion-method hook, with psycopg 3's COPY (pandas' docs show psycopg2's)."""
    columns = ", ".join(keys)
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in data_iter:
                copy.write_row(row)
        return int(cur.rowcount)


class PandasCopy(PandasToSql):
    method = staticmethod(copy_rows)


class PolarsAdbc(Loop):
    def setup(self) -> None:
        import adbc_driver_postgresql.dbapi

        self.conn = adbc_driver_postgresql.dbapi.connect(self.dsn)

    def build(self, rows: list[Row]) -> Any:
        import polars as pl

        return pl.DataFrame(rows, schema=list(COLUMNS), orient="row")

    def insert(self, data: Any) -> None:
        data.write_database(TABLE, self.conn, if_table_exists="append", engine="adbc")

    def close(self) -> None:
        self.conn.close()


class AdbcIngest(PolarsAdbc):
    def build(self, rows: list[Row]) -> Any:
        import pyarrow as pa

        return pa.table(
            [pa.array(c) for c in zip(*rows, strict=True)],
            schema=pa.schema(
                [
                    ("id", pa.int64()),
                    ("name", pa.string()),
                    ("email", pa.string()),
                    ("score", pa.float64()),
                    ("active", pa.bool_()),
                    ("created_at", pa.timestamp("us", tz="UTC")),
                ]
            ),
        )

    def insert(self, data: Any) -> None:
        with self.conn.cursor() as cur:
            cur.adbc_ingest(TABLE, data, mode="append")
        self.conn.commit()


# --- asyncio: the event loop is made once; the awaited insert is timed ---------------------


class Async(Loop):
    def setup(self) -> None:
        self.runner = asyncio.Runner()
        self.runner.run(self.aopen())

    def insert(self, data: Any) -> None:
        self.runner.run(self.ainsert(data))

    def close(self) -> None:
        self.runner.run(self.aclose())
        self.runner.close()

    async def aopen(self) -> None:
        import asyncpg

        self.conn = await asyncpg.connect(self.dsn)

    async def ainsert(self, data: Any) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        await self.conn.close()


class AsyncEngine(Async):
    async def aopen(self) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        self.engine = create_async_engine(sa_url(self.dsn, "asyncpg"))

    async def aclose(self) -> None:
        await self.engine.dispose()


class AsyncOrmAddAll(AsyncEngine):
    def build(self, rows: list[Row]) -> list[Item]:
        return [Item(**dict(zip(COLUMNS, r, strict=True))) for r in rows]

    async def ainsert(self, data: list[Item]) -> None:
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(self.engine) as session:
            session.add_all(data)
            await session.commit()


class AsyncCoreExecute(AsyncEngine):
    def build(self, rows: list[Row]) -> list[dict[str, Any]]:
        return as_dicts(rows)

    async def ainsert(self, data: list[dict[str, Any]]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.insert(CORE_TABLE), data)


class AsyncpgExecutemany(Async):
    SQL = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ($1, $2, $3, $4, $5, $6)"

    async def ainsert(self, data: list[Row]) -> None:
        async with self.conn.transaction():
            await self.conn.executemany(self.SQL, data)


class AsyncpgCopy(Async):
    async def ainsert(self, data: list[Row]) -> None:
        async with self.conn.transaction():
            await self.conn.copy_records_to_table(TABLE, records=data, columns=list(COLUMNS))


class PsycopgAsyncCopy(Async):
    async def aopen(self) -> None:
        self.conn = await psycopg.AsyncConnection.connect(self.dsn)

    async def ainsert(self, data: list[Row]) -> None:
        async with self.conn.cursor() as cur, cur.copy(COPY_BINARY) as copy:
            copy.set_types(COPY_TYPES)
            for row in data:
                await copy.write_row(row)
        await self.conn.commit()


# --- psycopg2 ----------------------------------------------------------------------------


class Psycopg2(Loop):
    def setup(self) -> None:
        import psycopg2

        self.conn = psycopg2.connect(self.dsn)

    def close(self) -> None:
        self.conn.close()


class Psycopg2ExecuteValues(Psycopg2):
    def insert(self, data: list[Row]) -> None:
        from psycopg2.extras import execute_values

        with self.conn.cursor() as cur:
            execute_values(cur, f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES %s", data)
        self.conn.commit()


class Psycopg2CopyExpert(Psycopg2):
    def insert(self, data: list[Row]) -> None:
        # Writing the CSV is part of the insert, as the rows arrive as tuples.
        buffer = io.StringIO()
        csv.writer(buffer).writerows(data)  # None -> empty field, which CSV COPY reads as NULL
        buffer.seek(0)
        with self.conn.cursor() as cur:
            cur.copy_expert(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)", buffer)
        self.conn.commit()


LOOPS: dict[str, type[Loop]] = {
    "orm_add_all": OrmAddAll,
    "orm_bulk_save_objects": OrmBulkSaveObjects,
    "orm_bulk_insert": OrmBulkInsert,
    "core_execute": CoreExecute,
    "driver_executemany": DriverExecutemany,
    "driver_copy": DriverCopy,
    "driver_copy_binary": DriverCopyBinary,
    "driver_unnest": DriverUnnest,
    "pandas_to_sql": PandasToSql,
    "pandas_to_sql_multi": PandasToSqlMulti,
    "pandas_copy": PandasCopy,
    "polars_adbc": PolarsAdbc,
    "adbc_ingest": AdbcIngest,
    "async_orm_add_all": AsyncOrmAddAll,
    "async_core_execute": AsyncCoreExecute,
    "asyncpg_executemany": AsyncpgExecutemany,
    "asyncpg_copy": AsyncpgCopy,
    "psycopg_async_copy": PsycopgAsyncCopy,
    "psycopg2_execute_values": Psycopg2ExecuteValues,
    "psycopg2_copy_expert": Psycopg2CopyExpert,
}


class Bench:
    """One strategy's loop, run by run, on a table of its own (so runs can interleave
    with the tool's on the same server)."""

    def __init__(self, strategy: str, dsn: str, rows: list[Row]) -> None:
        self.rows = rows
        self.admin = psycopg.connect(dsn, autocommit=True)
        self.admin.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self.admin.execute(DDL)
        self.loop = LOOPS[strategy](dsn)
        self.loop.setup()

    def run_once(self) -> float:
        """Seconds of one insert + commit into an empty, checkpointed table (checked)."""
        self.admin.execute(f"TRUNCATE {TABLE}")
        self.admin.execute("CHECKPOINT")
        data = self.loop.build(self.rows)
        # The garbage collector's debt from building the input is paid before the clock, so
        # that the insert is not charged for collecting objects it did not make.
        gc.collect()
        t0 = time.perf_counter()
        self.loop.insert(data)
        seconds = time.perf_counter() - t0
        del data
        stored = self.admin.execute(f"SELECT count(*), sum(id) FROM {TABLE}").fetchone()
        expected = (len(self.rows), sum(r[0] for r in self.rows))
        if stored != expected:
            raise AssertionError(f"stored (count, sum of ids) {stored}, expected {expected}")
        return seconds

    def close(self) -> None:
        self.loop.close()
        self.admin.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self.admin.close()


def make_rows(count: int, seed: int = 7) -> list[Row]:
    """Rows of the standard shape: 5% NULL scores, timestamps with a time zone."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return [
        (
            i,
            f"Name {i}",
            f"user{i}@example.com",
            None if rng.random() < 0.05 else round(rng.random() * 100, 3),
            rng.random() < 0.8,
            start + timedelta(seconds=rng.randrange(94_608_000), microseconds=rng.randrange(10**6)),
        )
        for i in range(1, count + 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("strategies", nargs="*", default=list(LOOPS))
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = make_rows(args.rows)
    for strategy in args.strategies:
        bench = Bench(strategy, args.dsn, rows)
        try:
            times = [bench.run_once() for _ in range(1 + args.repeat)][1:]  # one warmup
        finally:
            bench.close()
        median = statistics.median(times)
        print(f"{strategy:<24} {args.rows / median:>12,.0f} rows/s  (median of {args.repeat})")


if __name__ == "__main__":
    main()
