"""DataFrame strategies: pandas on SQLAlchemy, polars and Arrow on the ADBC driver.

Each takes its frame built off the clock (see `frames`), and writes into the sandbox table
that already exists: pandas with `if_exists="append"` (never "replace", which DROPs the table
and re-creates it from the frame's dtypes), polars with `if_table_exists="append"`, ADBC in
mode "append"; every one is told the schema explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from advisor.bench.connections import adbc_connect
from advisor.bench.data.datagen import Row
from advisor.bench.server import quote_ident
from advisor.bench.strategies.adapt import driver_row
from advisor.bench.strategies.base import RETURNING, UPSERT, SQLAlchemyStrategy, Strategy
from advisor.bench.strategies.frames import arrow_table, pandas_frame, polars_frame
from advisor.snippets.sql import copy_lines, text
from advisor.strategy_info import MULTI_CHUNK, STRATEGIES

MAX_PARAMETERS = 65_535  # bound parameters PostgreSQL takes in one statement
# None of them has a form for upserts or returned ids: they append, and return a row count.
_TO_SQL_HAS_NO = {
    UPSERT: "pandas to_sql has no ON CONFLICT: it appends (if_exists only says what to do"
    " when the table exists)",
    RETURNING: "pandas to_sql returns a row count, not the generated ids",
}


class PandasToSql(SQLAlchemyStrategy):
    """pandas `DataFrame.to_sql(..., if_exists="append", index=False)` on a SQLAlchemy
    engine: the one-liner most pandas code uses.

    Use it when the rows already are a pandas DataFrame and the volume is modest: pandas
    turns every column into Python objects and hands them to SQLAlchemy's executemany. It
    stores NaN as NULL: pandas cannot tell a missing value from a float NaN.
    """

    info = STRATEGIES["pandas_to_sql"]
    no_form: ClassVar[Mapping[str, str]] = _TO_SQL_HAS_NO
    method: ClassVar[str | None] = None
    chunksize: int | None = None

    def open(self) -> None:
        import pandas  # noqa: F401  (imported before the clock starts)

        super().open()
        names = set(self.table.names)
        # pandas declares the table it writes from `dtype`, not from the existing one: without
        # the real types it declares dicts, Decimals and lists TEXT, and PostgreSQL refuses
        # them (and JSON columns would store None as JSON null, not NULL).
        self.dtype = {c.name: c.type for c in self.table.sa_table.columns if c.name in names}

    def prepare(self, rows: list[Row]) -> Any:
        return pandas_frame(self.table.spec.insert_columns, rows)

    def insert(self, batches: Iterable[Any]) -> None:
        table = self.table
        # One transaction for the run: pandas leaves a Connection's transaction to its owner.
        with self.engine.begin() as conn:
            for frame in batches:
                frame.to_sql(
                    table.name,
                    conn,
                    schema=table.schema,
                    if_exists="append",
                    index=False,
                    dtype=self.dtype,
                    method=self.insertion_method(),
                    chunksize=self.chunksize,
                )

    def insertion_method(self) -> str | Callable[..., int] | None:
        return self.method


class PandasToSqlMulti(PandasToSql):
    """pandas `to_sql(method="multi", chunksize=...)`: one multi-row INSERT per chunk.

    Often advised as the faster option; on PostgreSQL it is usually the slowest, as every
    chunk is a new statement of rows x columns parameters to compile, parse and plan. Use it
    only where each round trip is very expensive and measure it.
    """

    info = STRATEGIES["pandas_to_sql_multi"]
    method = "multi"

    def open(self) -> None:
        super().open()
        # rows x columns parameters per statement: PostgreSQL stops at 65,535.
        self.chunksize = max(1, min(MULTI_CHUNK, MAX_PARAMETERS // len(self.table.names)))


class PandasCopy(PandasToSql):
    """pandas `to_sql(method=copy_rows)`: the insertion-method hook pandas documents, here
    streaming the rows through psycopg 3's COPY.

    Use it for large DataFrames when to_sql's convenience should stay: COPY speed, minus
    pandas' own conversion of every value to a Python object. No ON CONFLICT, no ids back.
    """

    info = STRATEGIES["pandas_copy"]
    no_form: ClassVar[Mapping[str, str]] = {
        UPSERT: "COPY through to_sql's method hook writes the table directly, and COPY has no"
        " ON CONFLICT",
        RETURNING: "to_sql returns a row count, and COPY returns no ids",
    }

    def insertion_method(self) -> Callable[..., int]:
        table = self.table
        sql = text(copy_lines(table.writes, ""))
        convert = driver_row(table.spec)  # JSON values wrapped for psycopg, as the driver's

        def copy_rows(pd_table: Any, conn: Any, keys: list[str], data_iter: Any) -> int:
            # pandas passes its SQLTable, the SQLAlchemy Connection, the column names (the
            # frame's, in table order) and the rows as tuples of Python values.
            rows = data_iter if convert is None else map(convert, data_iter)
            with conn.connection.driver_connection.cursor() as cur:
                with cur.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return int(cur.rowcount)

        return copy_rows


class PolarsAdbc(Strategy):
    """polars `DataFrame.write_database(..., if_table_exists="append", engine="adbc")`.

    Use it when the rows are a polars DataFrame: its Arrow buffers go to the ADBC PostgreSQL
    driver, which writes binary COPY with no Python object per value. polars commits after
    every call (here: each batch of the run) and cannot write jsonb columns.
    """

    info = STRATEGIES["polars_adbc"]
    no_form: ClassVar[Mapping[str, str]] = {
        UPSERT: "polars write_database appends through ADBC's COPY, which has no ON CONFLICT",
        RETURNING: "polars write_database returns a row count, not the generated ids",
    }

    def open(self) -> None:
        import polars  # noqa: F401  (imported before the clock starts)

        self.conn = adbc_connect(self.target)
        # polars splits "schema.table" like a CSV record, so quoted names keep their dots
        # and quotes; ADBC quotes each part again itself.
        self.name = f"{quote_ident(self.table.schema)}.{quote_ident(self.table.name)}"

    def prepare(self, rows: list[Row]) -> Any:
        return polars_frame(self.table.spec.insert_columns, rows)

    def insert(self, batches: Iterable[Any]) -> None:
        for frame in batches:
            frame.write_database(self.name, self.conn, if_table_exists="append", engine="adbc")

    def close(self) -> None:
        if hasattr(self, "conn"):
            self.conn.close()


class AdbcIngest(Strategy):
    """ADBC PostgreSQL driver: `cursor.adbc_ingest(table, arrow_table, mode="append")`.

    Use it when the rows are Arrow already (Parquet files, DuckDB, Arrow Flight): the C
    driver writes binary COPY straight from the Arrow buffers.
    """

    info = STRATEGIES["adbc_ingest"]
    no_form: ClassVar[Mapping[str, str]] = {
        UPSERT: "adbc_ingest COPYs into the table (mode append, replace or create): no ON CONFLICT",
        RETURNING: "adbc_ingest returns a row count, not the generated ids",
    }

    def open(self) -> None:
        import pyarrow  # noqa: F401  (imported before the clock starts)

        self.conn = adbc_connect(self.target)

    def prepare(self, rows: list[Row]) -> Any:
        return arrow_table(self.table.spec.insert_columns, rows)

    def insert(self, batches: Iterable[Any]) -> None:
        table = self.table
        cur = self.conn.cursor()
        try:
            for batch in batches:
                # Names unquoted: the driver quotes them.
                cur.adbc_ingest(table.name, batch, mode="append", db_schema_name=table.schema)
        finally:
            cur.close()  # an open cursor would make closing the connection fail
        self.conn.commit()

    def close(self) -> None:
        if hasattr(self, "conn"):
            self.conn.close()
