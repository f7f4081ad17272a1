"""Synthetic rows for a user's table, generated from its column types.

Values are type-correct and deterministic (seeded per block like the standard data), fit the
column's modifiers (varchar and char length, numeric precision and scale, timestamp
precision) and lean realistic: numbers are positive, so the common `CHECK (x > 0)` holds.
Columns of a unique index get values that never repeat; nullable columns get about 10%
NULLs, except those with a DEFAULT, because the ORM omits a None and lets the default fire.
Columns the database fills in (identity, serial, generated) are not generated at all.
"""

import random
import string
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from advisor.bench.data.datagen import BlockDataset, Row
from advisor.errors import InputError
from advisor.tables import Column, TableSpec

Gen = Callable[[random.Random, int], Any]  # (rng, row index) -> value

NULL_SHARE = 0.1
_WORDS = (
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
)
_EPOCH = datetime(2024, 1, 1)
_SPAN_S = 3 * 365 * 86_400
_INT_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}
# Modest, positive values: generated columns such as `price * quantity` must not overflow.
_INT_SPAN = {"smallint": 1_000, "integer": 10_000, "bigint": 1_000_000}
SUPPORTED = (
    "smallint, integer, bigint, numeric, real, double precision, text, varchar(n), char(n),"
    " boolean, date, time, timestamp, timestamptz, uuid, json, jsonb, bytea, enums,"
    " and arrays of these"
)


def _base36(n: int) -> str:
    digits = string.digits + string.ascii_lowercase
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def _integer(column: Column) -> Gen:
    top, span = _INT_MAX[column.base_type], _INT_SPAN[column.base_type]
    if column.unique:
        return lambda rng, i: i % top + 1
    return lambda rng, i: rng.randint(1, span)


def _numeric(column: Column) -> Gen:
    # numeric(p,s) holds p digits of which s after the point (s may exceed p, or be < 0).
    precision, scale = (*column.modifiers, 0)[:2] if column.modifiers else (18, 2)
    if column.unique:
        cap = 10**precision - 1
        return lambda rng, i: Decimal(i % cap + 1).scaleb(-scale)
    cap = 10 ** min(precision, 6)
    return lambda rng, i: Decimal(rng.randrange(cap)).scaleb(-scale)


def _real(column: Column) -> Gen:
    # Multiples of 1/64 below 2**14 need at most 20 significant bits: exactly representable
    # as float32, so text and binary paths must store the very same bits.
    if column.unique:
        return lambda rng, i: (i % (1 << 22) + 1) / 4
    return lambda rng, i: rng.randrange(1 << 20) / 64


def _double(column: Column) -> Gen:
    if column.unique:
        return lambda rng, i: i + 0.5
    return lambda rng, i: rng.random() * 1000


def _text(column: Column) -> Gen:
    limit = column.modifiers[0] if column.modifiers else None
    padded = column.base_type == "character"
    if column.unique:
        # The row number leads, ended by '-', so values stay distinct when cut to length.
        return lambda rng, i: f"{_base36(i)}-{rng.choice(_WORDS)}"[:limit]
    if padded and limit is not None:
        # char(n) pads with blanks; codes shorter than n exercise that.
        letters = string.ascii_uppercase
        return lambda rng, i: "".join(rng.choices(letters, k=rng.randint(1, limit)))

    def words(rng: random.Random, i: int) -> str:
        return " ".join(rng.choices(_WORDS, k=rng.randint(1, 6)))[:limit]

    return words


def _boolean(column: Column) -> Gen:
    return lambda rng, i: rng.random() < 0.5


def _micro(column: Column) -> Callable[[random.Random], int]:
    """Microseconds at the column's precision: timestamp(0) would round anything finer."""
    digits = column.modifiers[0] if column.modifiers else 6
    step = 10 ** (6 - digits)
    return lambda rng: rng.randrange(10**digits) * step


def _date(column: Column) -> Gen:
    first = _EPOCH.date()
    if column.unique:
        return lambda rng, i: first + timedelta(days=i % 2_000_000)
    return lambda rng, i: first + timedelta(days=rng.randrange(3 * 365))


def _time(column: Column) -> Gen:
    micro = _micro(column)
    return lambda rng, i: time(rng.randrange(24), rng.randrange(60), rng.randrange(60), micro(rng))


def _timestamp(column: Column) -> Gen:
    micro = _micro(column)
    tz = UTC if column.base_type == "timestamp with time zone" else None
    first = _EPOCH.replace(tzinfo=tz)
    if column.unique:
        return lambda rng, i: first + timedelta(seconds=i)
    return lambda rng, i: first + timedelta(seconds=rng.randrange(_SPAN_S), microseconds=micro(rng))


def _uuid(column: Column) -> Gen:
    return lambda rng, i: uuid.UUID(int=rng.getrandbits(128), version=4)


def _json(column: Column) -> Gen:
    # Objects only: a JSON list inside an array column would read as another dimension.
    def document(rng: random.Random, i: int) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": i, "kind": rng.choice(_WORDS), "ok": rng.random() < 0.5}
        if rng.random() < 0.5:
            doc["tags"] = rng.sample(_WORDS, rng.randint(0, 3))
        if rng.random() < 0.5:
            doc["score"] = rng.randrange(1000) / 4
        if rng.random() < 0.2:
            doc["note"] = None
        return doc

    return document


def _bytea(column: Column) -> Gen:
    if column.unique:
        return lambda rng, i: i.to_bytes(8, "big") + rng.randbytes(rng.randint(0, 8))
    return lambda rng, i: rng.randbytes(rng.randint(0, 64))


def _enum(column: Column) -> Gen:
    labels = column.labels
    return lambda rng, i: rng.choice(labels)


_BY_TYPE: dict[str, Callable[[Column], Gen]] = {
    "smallint": _integer,
    "integer": _integer,
    "bigint": _integer,
    "numeric": _numeric,
    "real": _real,
    "double precision": _double,
    "text": _text,
    "character varying": _text,
    "character": _text,
    "bpchar": _text,
    "boolean": _boolean,
    "date": _date,
    "time without time zone": _time,
    "timestamp without time zone": _timestamp,
    "timestamp with time zone": _timestamp,
    "uuid": _uuid,
    "json": _json,
    "jsonb": _json,
    "bytea": _bytea,
}


def _array(element: Gen) -> Gen:
    return lambda rng, i: [element(rng, i) for _ in range(rng.randint(0, 4))]


def _nullable(value: Gen) -> Gen:
    return lambda rng, i: None if rng.random() < NULL_SHARE else value(rng, i)


def generator_for(column: Column) -> Gen | None:
    """The value generator for one column; None when its type is not supported."""
    make = _enum if column.is_enum else _BY_TYPE.get(column.base_type)
    if make is None:
        return None
    gen = make(column)
    if column.is_array:
        gen = _array(gen)
    if column.nullable and not column.unique and column.default is None:
        gen = _nullable(gen)
    return gen


class TableData(BlockDataset):
    """Rows for the insertable columns of a user's table."""

    def __init__(self, spec: TableSpec, seed: int = 42) -> None:
        super().__init__(seed)
        self.spec = spec
        source = spec.source or spec.name
        if not spec.insert_columns:
            raise InputError(f"{source} has no columns to insert: the database fills them all")
        gens = {c.name: generator_for(c) for c in spec.insert_columns}
        unsupported = [c for c in spec.insert_columns if gens[c.name] is None]
        if unsupported:
            listed = ", ".join(f"{c.name} ({c.type})" for c in unsupported)
            raise InputError(
                f"cannot generate rows for {source}: unsupported column type(s): {listed};"
                f" supported: {SUPPORTED}"
            )
        self._gens = [g for g in gens.values() if g is not None]

    def block(self, rng: random.Random, first: int, count: int) -> list[Row]:
        gens = self._gens
        return [tuple(g(rng, i) for g in gens) for i in range(first, first + count)]
