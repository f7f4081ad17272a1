"""Rows -> the DataFrame or Arrow table a DataFrame strategy takes, typed from the table.

Each frame is typed from the table's columns, as a careful user types a frame before writing
it, rather than left to inference, which fails or changes values on ordinary data:

* pandas infers float64 for an integer column holding a NULL, and 2**53 + 1 then arrives as
  2**53; integer columns become the nullable Int64/Int32/Int16 dtypes, which keep every
  value. The other columns are inferred (what a frame built from records holds).
* polars and Arrow (ADBC) encode binary COPY by the frame's type, not the column's: a
  float64 sent to a real column, or an int64 to an integer one, is an error. So each column
  gets its exact type; JSON travels as its text, uuids as their 16 bytes.

What a library still changes on the way (NaN to NULL in pandas, trailing zeros of numerics
in ADBC) is then the library's doing, and the verifier reports it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from advisor.bench.data.datagen import Row
from advisor.bench.failures import NativeInputError, build_errors
from advisor.errors import first_line
from advisor.tables import Column

_PANDAS_INTEGERS = {"bigint": "Int64", "integer": "Int32", "smallint": "Int16"}
_DECIMAL128_DIGITS = 38  # beyond this Arrow needs decimal256 and polars has nothing
_JSON = ("json", "jsonb")


def _columns(rows: Sequence[Row], width: int) -> list[list[Any]]:
    return [list(values) for values in zip(*rows, strict=True)] if rows else [[]] * width


def pandas_frame(columns: Sequence[Column], rows: Sequence[Row]) -> Any:
    import pandas as pd

    data: dict[str, Any] = {}
    for column, values in zip(columns, _columns(rows, len(columns)), strict=True):
        dtype = None if column.is_array else _PANDAS_INTEGERS.get(column.base_type)
        data[column.name] = values if dtype is None else pd.array(values, dtype=dtype)
    return pd.DataFrame(data, columns=[c.name for c in columns])


def _json_text(value: Any) -> Any:
    return None if value is None else json.dumps(value)


def _uuid_bytes(value: Any) -> Any:
    return None if value is None else value.bytes


def _each(element: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def walk(value: Any) -> Any:
        return [walk(v) for v in value] if isinstance(value, list) else element(value)

    return walk


def _values(column: Column) -> Callable[[Any], Any] | None:
    """How a value travels in a polars or Arrow column, when not as it is."""
    element = {"json": _json_text, "jsonb": _json_text, "uuid": _uuid_bytes}.get(column.base_type)
    if element is None:
        return None
    return _each(element) if column.is_array else element


def _decimal_modifiers(column: Column) -> tuple[int, int] | None:
    """(precision, scale) of numeric(p, s); None without a precision."""
    if not column.modifiers:
        return None
    precision, scale = (*column.modifiers, 0)[:2]
    return precision, scale


def _flat(values: list[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list):
            yield from _flat(value)
        else:
            yield value


def _non_finite(value: Any) -> bool:
    return isinstance(value, Decimal) and not value.is_finite()


def polars_dtype(column: Column) -> Any:
    """The polars dtype a column is written from; None lets polars infer it (numeric without
    a precision). jsonb has none that works: polars cannot mark a String column as JSON."""
    import polars as pl

    if column.is_array:
        inner = polars_dtype(Column(column.name, column.element_type, labels=column.labels))
        return pl.List(inner) if inner is not None else None
    if column.is_enum:
        return pl.String
    simple = {
        "bigint": pl.Int64,
        "integer": pl.Int32,
        "smallint": pl.Int16,
        "double precision": pl.Float64,
        "real": pl.Float32,
        "boolean": pl.Boolean,
        "text": pl.String,
        "character varying": pl.String,
        "character": pl.String,
        "bpchar": pl.String,
        "bytea": pl.Binary,
        "uuid": pl.Binary,
        "date": pl.Date,
        "time without time zone": pl.Time,
        "timestamp with time zone": pl.Datetime("us", "UTC"),
        "timestamp without time zone": pl.Datetime("us"),
        "json": pl.String,
        "jsonb": pl.String,
    }
    base = column.base_type
    if base in simple:
        return simple[base]
    if base == "numeric":
        modifiers = _decimal_modifiers(column)
        if modifiers is None or modifiers[0] > _DECIMAL128_DIGITS:
            return None
        return pl.Decimal(*modifiers)
    raise ValueError(f"no polars type for {column.type}")


def _column(build: Callable[[Column, list[Any]], Any], column: Column, values: list[Any]) -> Any:
    """One column of a frame; what it cannot hold is reported with the column's name."""
    try:
        return build(column, values)
    except build_errors() as exc:
        raise NativeInputError(
            f"column {column.name!r}: {type(exc).__name__}: {first_line(exc)}"
        ) from exc


def _sent(column: Column, values: list[Any]) -> list[Any]:
    convert = _values(column)
    return values if convert is None else [convert(v) for v in values]


def polars_frame(columns: Sequence[Column], rows: Sequence[Row]) -> Any:
    import polars as pl

    def series(column: Column, values: list[Any]) -> Any:
        if column.base_type == "numeric" and any(map(_non_finite, _flat(values))):
            # Checked first: polars panics on them, and its Rust panic hook writes a
            # backtrace to the terminal (over the app's screen) before Python sees it.
            raise ValueError("a polars Decimal cannot hold NaN or infinity")
        return pl.Series(column.name, _sent(column, values), dtype=polars_dtype(column))

    data = _columns(rows, len(columns))
    return pl.DataFrame([_column(series, c, v) for c, v in zip(columns, data, strict=True)])


def arrow_type(column: Column, values: Sequence[Any]) -> Any:
    """The Arrow type a column is written from. JSON gets the `arrow.json` extension, which
    ADBC's jsonb writer needs; a numeric without precision is inferred from its values."""
    import pyarrow as pa

    if column.is_array:
        element = Column(column.name, column.element_type, labels=column.labels)
        inner = [v for value in values if value is not None for v in value]
        inner_type = arrow_type(element, inner)
        # pyarrow cannot build lists of extension values (JSON, uuid): their storage then.
        return pa.list_(getattr(inner_type, "storage_type", inner_type))
    if column.is_enum:
        return pa.string()
    simple = {
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "smallint": pa.int16(),
        "double precision": pa.float64(),
        "real": pa.float32(),
        "boolean": pa.bool_(),
        "text": pa.string(),
        "character varying": pa.string(),
        "character": pa.string(),
        "bpchar": pa.string(),
        "bytea": pa.binary(),
        "uuid": pa.uuid(),
        "date": pa.date32(),
        "time without time zone": pa.time64("us"),
        "timestamp with time zone": pa.timestamp("us", tz="UTC"),
        "timestamp without time zone": pa.timestamp("us"),
        "json": pa.json_(pa.string()),
        "jsonb": pa.json_(pa.string()),
    }
    base = column.base_type
    if base in simple:
        return simple[base]
    if base == "numeric":
        modifiers = _decimal_modifiers(column)
        if modifiers is None:
            return pa.array([v for v in values if v is not None]).type
        decimal = pa.decimal128 if modifiers[0] <= _DECIMAL128_DIGITS else pa.decimal256
        return decimal(*modifiers)
    raise ValueError(f"no Arrow type for {column.type}")


def arrow_table(columns: Sequence[Column], rows: Sequence[Row]) -> Any:
    import pyarrow as pa

    def array(column: Column, values: list[Any]) -> Any:
        return pa.array(_sent(column, values), type=arrow_type(column, values))

    data = _columns(rows, len(columns))
    arrays = [_column(array, c, v) for c, v in zip(columns, data, strict=True)]
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])
