"""What psycopg needs beyond plain Python values for some column types.

SQLAlchemy knows each column's type from the reflected table; a bare psycopg connection does
not, so the driver strategies are told: JSON values travel wrapped in `Json`/`Jsonb` (a dict
or a list alone would be taken for something else), binary COPY gets a dumper for enums and
character(n), and `driver_unnest` sends array columns as array literals. Tables of plain
types need none of this and keep the fast path untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from advisor.bench.data.datagen import Row, map_columns
from advisor.tables import Column, TableSpec

if TYPE_CHECKING:
    import psycopg
    from psycopg.abc import AdaptContext


def _json_wrapper(column: Column) -> Callable[[Any], Any] | None:
    from psycopg.types.json import Json, Jsonb

    wrapper = {"json": Json, "jsonb": Jsonb}.get(column.base_type)
    if wrapper is None:
        return None
    if column.is_array:
        return lambda value: (
            None if value is None else [None if v is None else wrapper(v) for v in value]
        )
    return lambda value: None if value is None else wrapper(value)


def driver_row(spec: TableSpec) -> Callable[[Row], Row] | None:
    """The per-row conversion for psycopg parameters and COPY rows; None when there is none."""
    return map_columns([_json_wrapper(c) for c in spec.insert_columns])


def register_str_dumpers(
    conn: AdaptContext, spec: TableSpec, lookup: psycopg.Connection[Any]
) -> None:
    """Let binary COPY send str values to character(n), enum and enum array columns.

    psycopg has no binary dumper for character(n), and dumps only a Python Enum to a
    registered PostgreSQL enum. Both types take a str's bytes as they are, so a str dumper
    with the type's oid is all COPY needs; registering the type info also gives its array
    type a dumper. The types are looked up over `lookup`, a synchronous connection (`conn`
    itself, or another one when `conn` is asynchronous).
    """
    from psycopg.types import TypeInfo
    from psycopg.types.string import StrBinaryDumper

    names = {
        c.element_type if c.is_enum else "bpchar"
        for c in spec.insert_columns
        if c.is_enum or c.base_type == "character"
    }
    for name in sorted(names):
        info = TypeInfo.fetch(lookup, name)
        if info is None:
            raise ValueError(f"type {name} not found")
        dumper = type(f"StrBinaryDumper{info.oid}", (StrBinaryDumper,), {"oid": info.oid})
        conn.adapters.register_dumper(None, dumper)
        info.register(conn)


def array_literal(conn: psycopg.Connection[Any]) -> Callable[[Any], str | None]:
    """A function turning a list into its PostgreSQL array literal ('{a,NULL,"b c"}')."""
    from psycopg.adapt import PyFormat, Transformer

    tx = Transformer(conn)

    def literal(value: Any) -> str | None:
        dumped = None if value is None else tx.get_dumper(value, PyFormat.TEXT).dump(value)
        return None if dumped is None else bytes(dumped).decode()

    return literal
