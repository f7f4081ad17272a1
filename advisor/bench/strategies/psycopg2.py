"""psycopg2 strategies, for the code bases still on it: execute_values and copy_expert.

psycopg2 interpolates values into the SQL text on the client (`execute_values`) or leaves
the text to the caller (`copy_expert`), where psycopg 3 sends parameters and COPY rows
itself. What psycopg2 writes as a literal is what PostgreSQL stores: -0.0 is written as the
numeric ` -0.0` and arrives as 0.0; every non-finite Decimal is written as 'NaN'.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from advisor.bench.connections import psycopg2_connect
from advisor.bench.data.datagen import Row, map_columns
from advisor.bench.strategies.base import RETURNING, UPSERT, Returned, Strategy
from advisor.snippets.sql import (
    copy_lines,
    insert_lines,
    paged_values_lines,
    percent_placeholders,
    row_template_lines,
    staged_insert_lines,
    staging_lines,
    text,
)
from advisor.strategy_info import PSYCOPG2_PAGE, STRATEGIES
from advisor.tables import Column

_JSON = ("json", "jsonb")


class Psycopg2Strategy(Strategy):
    conn: Any = None

    def open(self) -> None:
        self.conn = psycopg2_connect(self.target)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _psycopg2_value(column: Column) -> Callable[[Any], Any] | None:
    """What psycopg2 needs instead of the plain value: dicts and lists for JSON wrapped in
    its Json adapter (a list alone would become an ARRAY), uuids as text (psycopg2 adapts
    uuid.UUID only after a process-wide register_uuid())."""
    if column.base_type in _JSON:
        from psycopg2.extras import Json

        if column.is_array:
            return lambda v: None if v is None else [None if x is None else Json(x) for x in v]
        return lambda v: None if v is None else Json(v)
    if column.base_type == "uuid":
        if column.is_array:
            return lambda v: None if v is None else [None if x is None else str(x) for x in v]
        return lambda v: None if v is None else str(v)
    return None


class Psycopg2ExecuteValues(Psycopg2Strategy):
    """psycopg2 `extras.execute_values`: one multi-row `INSERT ... VALUES` per page of rows
    (its default page_size, 100), the values interpolated on the client.

    Use it in psycopg2 code bases: its fast INSERT path (psycopg2's executemany is one round
    trip per row), with ON CONFLICT and RETURNING available.
    """

    info = STRATEGIES["psycopg2_execute_values"]
    forms = frozenset({UPSERT, RETURNING})  # ids come back per page: in no promised order
    convert: Callable[[Row], Row] | None = None

    def open(self) -> None:
        super().open()
        w = self.table.writes
        self.convert = map_columns([_psycopg2_value(c) for c in w.columns])
        # Array columns cast to their type; otherwise execute_values' own "(%s, ...)".
        arrays = any(c.is_array for c in w.columns)
        self.template = text(percent_placeholders(row_template_lines(w))) if arrays else None

    def prepare(self, rows: list[Row]) -> list[Any]:
        return rows if self.convert is None else list(map(self.convert, rows))

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        from psycopg2.extras import execute_values

        w = self.table.writes
        sql = text(percent_placeholders(insert_lines(w, paged_values_lines())))
        ids: Returned | None = [] if w.returning else None
        with self.conn.cursor() as cur:
            for batch in batches:
                returned = execute_values(
                    cur,
                    sql,
                    batch,
                    template=self.template,
                    page_size=PSYCOPG2_PAGE,
                    fetch=ids is not None,
                )
                if ids is not None:
                    ids += map(self.generated, returned)
        self.conn.commit()
        return ids


class Psycopg2CopyExpert(Psycopg2Strategy):
    """psycopg2 `cursor.copy_expert("COPY ... FROM STDIN (FORMAT csv)", buffer)`: the rows
    written as CSV text by the caller, then COPYed.

    Use it in psycopg2 code bases for bulk loads; for upserts and returned ids COPY loads a
    staging table, which one INSERT ... SELECT writes to the table. The CSV must be exact:
    NULL is an unquoted empty field and every other value is quoted, which Python's csv
    module cannot write before 3.12 (it writes None and "" alike). Writing the text is
    timed: the rows arrive as tuples, as for the other driver paths.
    """

    info = STRATEGIES["psycopg2_copy_expert"]
    forms = frozenset({UPSERT, RETURNING})

    def open(self) -> None:
        super().open()
        self.write_csv = csv_writer(self.table.writes.columns)

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        w = self.table.writes
        ids: Returned | None = None
        with self.conn.cursor() as cur:
            if w.staged:
                cur.execute(text(staging_lines(w)))
            sql = text(copy_lines(w, " (FORMAT csv)"))
            for batch in batches:
                cur.copy_expert(sql, io.StringIO(self.write_csv(batch)))
            if w.staged:
                cur.execute(text(staged_insert_lines(w)))
                if w.returning:
                    ids = list(map(self.generated, cur.fetchall()))
        self.conn.commit()
        return ids


# --- CSV as COPY ... (FORMAT csv) reads it --------------------------------------------------


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)  # the shortest text that reads back as the same double; keeps -0.0


def _text(column: Column) -> Callable[[Any], str]:
    """How one non-NULL value of the column is written as PostgreSQL input text."""
    base = column.base_type
    if base in ("double precision", "real"):
        return _float_text
    if base == "boolean":
        return lambda v: "t" if v else "f"
    if base in _JSON:
        return lambda v: json.dumps(v, ensure_ascii=False)
    if base == "bytea":
        return lambda v: "\\x" + bytes(v).hex()
    if base in ("date", "time without time zone") or base.startswith("timestamp"):
        return lambda v: v.isoformat()
    return str  # ints, Decimals (NaN, Infinity and 1E+100 are valid numeric input), text, uuid


def _array_literal(value: Any, element: Callable[[Any], str]) -> str:
    """`{"a",NULL,"b c"}`, nested for more dimensions; every element quoted and escaped."""
    if isinstance(value, list | tuple):
        return "{" + ",".join(_array_literal(v, element) for v in value) + "}"
    if value is None:
        return "NULL"
    return '"' + element(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array_field(element: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda value: _array_literal(value, element)


# Types whose Python values str() writes as PostgreSQL input text of the same value (floats
# by repr()): True, 2024-01-01 00:00:00+00:00, nan and inf are all read back.
_CSV_AS_IS = frozenset(
    {
        "bigint",
        "integer",
        "smallint",
        "text",
        "character varying",
        "bpchar",
        "boolean",
        "double precision",
        "real",
        "numeric",
        "uuid",
        "date",
        "time without time zone",
        "timestamp without time zone",
        "timestamp with time zone",
    }
)


def _as_is(value: Any) -> str:
    """A value of a `_CSV_AS_IS` column as COPY reads CSV: NULL is an empty field, all else
    is quoted (so "" stays an empty string). The snippet's `csv_field` for these types."""
    return "" if value is None else '"' + str(value).replace('"', '""') + '"'


def csv_writer(columns: Sequence[Column]) -> Callable[[list[Row]], str]:
    """Rows -> CSV text that `COPY ... (FORMAT csv)` reads back value for value.

    Written field by field, as the snippet writes it: Python's csv module writes None and ""
    alike before 3.12, and once every value is quoted it is no faster (78 against 74 ms for
    20k standard rows, measured; str() of the timestamps is most of either).
    """
    if all(c.base_type in _CSV_AS_IS and not c.is_array for c in columns):
        return lambda rows: "".join(",".join(map(_as_is, row)) + "\n" for row in rows)
    fields = [_array_field(_text(c)) if c.is_array else _text(c) for c in columns]

    def line(row: Row) -> str:
        cells = ("" if v is None else _quoted(f(v)) for f, v in zip(fields, row, strict=True))
        return ",".join(cells) + "\n"

    return lambda rows: "".join(map(line, rows))
