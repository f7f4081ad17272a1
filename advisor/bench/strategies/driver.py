"""psycopg strategies: the raw-throughput end of the spectrum."""

from collections.abc import Iterable
from typing import Any

from advisor.bench.strategies.adapt import array_literal, register_str_dumpers
from advisor.bench.strategies.base import DriverStrategy
from advisor.strategy_info import STRATEGIES, UNNEST_BATCH


class DriverExecutemany(DriverStrategy):
    """psycopg `cursor.executemany` with a parameterised INSERT (pipeline mode).

    Use it for raw rows at high throughput when you still want plain INSERT semantics
    (ON CONFLICT, triggers per statement) and no SQLAlchemy in the path.
    """

    info = STRATEGIES["driver_executemany"]

    def insert(self, batches: Iterable[list[Any]]) -> None:
        table = self.table
        placeholders = ", ".join(["%s"] * len(table.names))
        sql = f"INSERT INTO {table.qualified} ({table.column_list}) VALUES ({placeholders})"
        with self.conn.cursor() as cur:
            for batch in batches:
                cur.executemany(sql, batch)
        self.conn.commit()


class DriverCopy(DriverStrategy):
    """`COPY ... FROM STDIN` in text format, fed with `write_row`.

    Use it for bulk ingestion, ETL and firehose loads: no per-row statement at all. It has
    no ON CONFLICT and returns no ids.
    """

    info = STRATEGIES["driver_copy"]

    def insert(self, batches: Iterable[list[Any]]) -> None:
        table = self.table
        sql = f"COPY {table.qualified} ({table.column_list}) FROM STDIN"
        with self.conn.cursor() as cur, cur.copy(sql) as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
        self.conn.commit()


class DriverCopyBinary(DriverStrategy):
    """`COPY ... FROM STDIN (FORMAT BINARY)` with `set_types`: the fastest path from Python.

    Use it for the largest loads when the Python values match the column types exactly
    (binary COPY does no implicit casts: an int for a numeric column is an error).
    """

    info = STRATEGIES["driver_copy_binary"]

    def open(self) -> None:
        super().open()
        register_str_dumpers(self.conn, self.table.spec, self.conn)

    def insert(self, batches: Iterable[list[Any]]) -> None:
        table = self.table
        sql = f"COPY {table.qualified} ({table.column_list}) FROM STDIN (FORMAT BINARY)"
        with self.conn.cursor() as cur, cur.copy(sql) as copy:
            copy.set_types(table.type_oids)
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
        self.conn.commit()


class DriverUnnest(DriverStrategy):
    """`INSERT ... SELECT FROM unnest(%s::type[], ...)`: one statement per batch of columns.

    Use it when you need COPY-like speed but also ON CONFLICT or RETURNING: the rows travel
    as one array per column and the server unpacks them.
    """

    info = STRATEGIES["driver_unnest"]

    def insert(self, batches: Iterable[list[Any]]) -> None:
        table = self.table
        columns = table.spec.insert_columns
        # unnest() flattens an array of arrays, so an array column travels as text[] of
        # array literals, cast back per row.
        arrays = ", ".join("%s::text[]" if c.is_array else f"%s::{c.type}[]" for c in columns)
        names = ", ".join(f"c{i}" for i in range(len(columns)))
        values = ", ".join(
            f"c{i}::{c.type}" if c.is_array else f"c{i}" for i, c in enumerate(columns)
        )
        sql = (
            f"INSERT INTO {table.qualified} ({table.column_list})"
            f" SELECT {values} FROM unnest({arrays}) AS u({names})"
        )
        literal = array_literal(self.conn)
        as_literals = [i for i, c in enumerate(columns) if c.is_array]
        with self.conn.cursor() as cur:
            for batch in batches:
                for i in range(0, len(batch), UNNEST_BATCH):
                    values_by_column = [
                        list(col) for col in zip(*batch[i : i + UNNEST_BATCH], strict=True)
                    ]
                    for k in as_literals:
                        values_by_column[k] = list(map(literal, values_by_column[k]))
                    cur.execute(sql, values_by_column)
        self.conn.commit()
