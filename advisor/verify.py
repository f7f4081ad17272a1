"""Content verification: what is stored must equal what was given, value for value.

The checksum is order-independent (a sum of row hashes modulo 2**64) so a strategy may store
rows in any order. Values are first made canonical where Python equality is not exact enough:
`-0.0 == 0.0` and `nan != nan` for floats, unhashable lists and dicts for arrays and JSON.
When the checksums differ, `first_difference` finds the first input row that did not arrive
intact and says which column changed.
"""

import json
import math
import struct
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.tables import Column, TableSpec

Row = tuple[Any, ...]
Canon = Callable[[Row], Hashable]
_MASK = (1 << 64) - 1
_EXACT_TYPES = (
    "bigint",
    "integer",
    "smallint",
    "text",
    "boolean",
    "timestamp",
    "date",
    "character",
    "uuid",
    "bytea",
    "numeric",
    "time",
)


@dataclass(frozen=True)
class Checksum:
    count: int
    digest: int

    def __str__(self) -> str:
        return f"{self.count} rows, {self.digest:016x}"


def canonical(value: Any) -> Hashable:
    """A hashable stand-in that is equal for two values exactly when they round-trip equal."""
    if isinstance(value, float):
        if math.isnan(value):
            return ("nan",)
        if value == 0.0 and math.copysign(1.0, value) < 0:
            return ("-0.0",)
        return value
    if isinstance(value, list | tuple):
        return tuple(canonical(v) for v in value)
    if isinstance(value, dict):
        return ("json", json.dumps(value, sort_keys=True))
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    return value  # type: ignore[no-any-return]


def _pack_double(value: Any) -> Any:
    return None if value is None else struct.pack(">d", value)


def _pack_real(value: Any) -> Any:
    return None if value is None else struct.pack(">f", value)


@dataclass(frozen=True)
class ColumnCheck:
    """How one column is compared: the SQL that fetches it, and the matching Python transform.

    Floats are fetched as their exact bits (`float8send`), so -0.0, NaN and every last bit
    count, and stored rows hash at C speed. Exact types need nothing. Anything else (JSON,
    arrays) is made canonical in Python on both sides.
    """

    expr: str  # with {c} for the quoted column name
    expected: Callable[[Any], Any] | None  # applied to input values
    stored: Callable[[Any], Any] | None  # applied to fetched values


_DOUBLE = ColumnCheck("float8send({c})", _pack_double, None)
_REAL = ColumnCheck("float4send({c})", _pack_real, None)
_EXACT = ColumnCheck("{c}", None, None)
_CANONICAL = ColumnCheck("{c}", canonical, canonical)


def column_check(column: Column) -> ColumnCheck:
    if column.type == "double precision":
        return _DOUBLE
    if column.type == "real":
        return _REAL
    if column.type.startswith(_EXACT_TYPES) and not column.type.endswith("]"):
        return _EXACT
    return _CANONICAL


def _row_transform(funcs: Sequence[Callable[[Any], Any] | None]) -> Canon | None:
    """One function applying per-column transforms to a row; None when there are none."""
    if not any(funcs):
        return None
    pairs = [(i, f) for i, f in enumerate(funcs) if f is not None]

    def transform(row: Row) -> Hashable:
        values = list(row)
        for i, f in pairs:
            values[i] = f(values[i])
        return tuple(values)

    return transform


@dataclass(frozen=True)
class Verifier:
    """Everything needed to checksum one table's content on both sides."""

    select_list: str  # SQL expressions, in insert-column order
    expected_key: Canon | None
    stored_key: Canon | None


def verifier_for(spec: TableSpec, quote: Callable[[str], str]) -> Verifier:
    checks = [column_check(c) for c in spec.insert_columns]
    return Verifier(
        select_list=", ".join(
            ch.expr.format(c=quote(col.name))
            for ch, col in zip(checks, spec.insert_columns, strict=True)
        ),
        expected_key=_row_transform([ch.expected for ch in checks]),
        stored_key=_row_transform([ch.stored for ch in checks]),
    )


class ChecksumBuilder:
    """Accumulates a checksum over chunks of rows."""

    def __init__(self, canon: Canon | None) -> None:
        self.canon = canon
        self.count = 0
        self.digest = 0

    def add(self, rows: Sequence[Row]) -> None:
        keys: Iterable[Hashable] = rows if self.canon is None else map(self.canon, rows)
        self.digest = (self.digest + sum(map(hash, keys))) & _MASK
        self.count += len(rows)

    def result(self) -> Checksum:
        return Checksum(self.count, self.digest)


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _canonical_row(row: Row) -> Hashable:
    return tuple(canonical(v) for v in row)


def first_difference(expected: Iterable[Row], stored: Iterable[Row], names: Sequence[str]) -> str:
    """Describe the first input row (in input order) that is not stored exactly.

    Both sides are plain fetched values; this is the slow path, run only after a checksum
    mismatch.
    """
    key = _canonical_row
    stored_rows = list(stored)
    remaining = Counter(map(key, stored_rows))
    expected_rows = list(expected)
    missing: list[Row] = []
    for row in expected_rows:
        k = key(row)
        if remaining[k] > 0:
            remaining[k] -= 1
        else:
            missing.append(row)
    extra = [r for r in stored_rows if remaining[key(r)] > 0]
    if not missing and not extra:
        return ""
    if not missing:
        return f"{len(extra)} unexpected row(s) stored, first: {_show(extra[0], 120)}"
    row = missing[0]
    # Pair it with the extra row that agrees on the most columns to name the changed value.
    best = max(extra, key=lambda r: sum(map(_same, r, row)), default=None)
    position = expected_rows.index(row) + 1
    if best is None:
        return f"{len(missing)} row(s) missing, first is input row {position}: {_show(row, 120)}"
    for name, want, got in zip(names, row, best, strict=True):
        if not _same(want, got):
            return (
                f"input row {position}, column {name!r}: sent {_show(want)}, stored {_show(got)}"
                + (f" ({len(missing)} rows differ)" if len(missing) > 1 else "")
            )
    return f"input row {position} differs: {_show(row, 120)}"


def _same(a: Any, b: Any) -> bool:
    return canonical(a) == canonical(b)
