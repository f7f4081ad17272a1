"""psycopg strategies: the raw-throughput end of the spectrum.

Their SQL is built by `advisor.snippets.sql`, the functions their snippets are built with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from advisor.bench.strategies.adapt import array_literal, register_str_dumpers
from advisor.bench.strategies.base import RETURNING, UPSERT, DriverStrategy, Returned
from advisor.snippets.sql import (
    copy_lines,
    insert_lines,
    percent_placeholders,
    staged_insert_lines,
    staging_lines,
    text,
    unnest_lines,
    values_lines,
)
from advisor.strategy_info import STRATEGIES, UNNEST_BATCH

if TYPE_CHECKING:
    import psycopg


class DriverExecutemany(DriverStrategy):
    """psycopg `cursor.executemany` with a parameterised INSERT (pipeline mode).

    Use it for raw rows at high throughput when you still want plain INSERT semantics
    (ON CONFLICT, triggers per statement) and no SQLAlchemy in the path.
    """

    info = STRATEGIES["driver_executemany"]
    forms = frozenset({UPSERT, RETURNING})
    ids_in_order = True  # one result per parameter set, in order

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        w = self.table.writes
        sql = text(percent_placeholders(insert_lines(w, values_lines(w, named=False))))
        ids: Returned | None = [] if w.returning else None
        with self.conn.cursor() as cur:
            for batch in batches:
                cur.executemany(sql, batch, returning=w.returning)
                if ids is not None:  # a result per row, in input order
                    ids.append(self.generated(cur.fetchone() or ()))
                    while cur.nextset():
                        ids.append(self.generated(cur.fetchone() or ()))
        self.conn.commit()
        return ids


class _Copy(DriverStrategy):
    """COPY fed with `write_row`; for upserts and returned ids COPY loads a staging table and
    one INSERT ... SELECT writes it to the table (both timed)."""

    forms = frozenset({UPSERT, RETURNING})
    options = ""  # COPY's WITH (...) clause

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        w = self.table.writes
        with self.conn.cursor() as cur:
            if w.staged:
                cur.execute(text(staging_lines(w)))
            with cur.copy(text(copy_lines(w, self.options))) as copy:
                self.set_types(copy)
                for batch in batches:
                    for row in batch:
                        copy.write_row(row)
            ids = self.insert_staged(cur) if w.staged else None
        self.conn.commit()
        return ids

    def set_types(self, copy: psycopg.Copy) -> None:
        """What COPY must know of the column types before the first row."""

    def insert_staged(self, cur: psycopg.Cursor[Any]) -> Returned | None:
        w = self.table.writes
        cur.execute(text(staged_insert_lines(w)))
        return list(map(self.generated, cur.fetchall())) if w.returning else None


class DriverCopy(_Copy):
    """`COPY ... FROM STDIN` in text format, fed with `write_row`.

    Use it for bulk ingestion, ETL and firehose loads: no per-row statement at all. It has
    no ON CONFLICT and returns no ids: for those it loads a staging table first.
    """

    info = STRATEGIES["driver_copy"]


class DriverCopyBinary(_Copy):
    """`COPY ... FROM STDIN (FORMAT BINARY)` with `set_types`: the fastest path from Python.

    Use it for the largest loads when the Python values match the column types exactly
    (binary COPY does no implicit casts: an int for a numeric column is an error).
    """

    info = STRATEGIES["driver_copy_binary"]
    options = " (FORMAT BINARY)"

    def open(self) -> None:
        super().open()
        register_str_dumpers(self.conn, self.table.spec, self.conn)

    def set_types(self, copy: psycopg.Copy) -> None:
        copy.set_types(self.table.type_oids)  # the staging table's are the same


class DriverUnnest(DriverStrategy):
    """`INSERT ... SELECT FROM unnest(%s::type[], ...)`: one statement per batch of columns.

    Use it when you need COPY-like speed but also ON CONFLICT or RETURNING: the rows travel
    as one array per column and the server unpacks them.
    """

    info = STRATEGIES["driver_unnest"]
    forms = frozenset({UPSERT, RETURNING})

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        w = self.table.writes
        sql = text(percent_placeholders(insert_lines(w, unnest_lines(w))))
        # unnest() flattens an array of arrays, so an array column travels as text[] of
        # array literals, cast back per row.
        literal = array_literal(self.conn)
        as_literals = [i for i, c in enumerate(w.columns) if c.is_array]
        ids: Returned | None = [] if w.returning else None
        with self.conn.cursor() as cur:
            for batch in batches:
                for i in range(0, len(batch), UNNEST_BATCH):
                    values_by_column = [
                        list(col) for col in zip(*batch[i : i + UNNEST_BATCH], strict=True)
                    ]
                    for k in as_literals:
                        values_by_column[k] = list(map(literal, values_by_column[k]))
                    cur.execute(sql, values_by_column)
                    if ids is not None:
                        ids += map(self.generated, cur.fetchall())
        self.conn.commit()
        return ids
