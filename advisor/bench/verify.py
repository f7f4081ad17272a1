"""Content verification: what is stored must equal what was given, value for value.

The checksum is order-independent (a sum of row hashes modulo 2**64) so a strategy may store
rows in any order. Values are first made canonical where Python equality is not exact enough:
`-0.0 == 0.0` and `nan != nan` for floats and numerics, unhashable lists and dicts for arrays
and JSON, blank padding for character(n), SQL NULL versus a JSON null.
A numeric without a declared precision keeps the scale it was sent with (0.10 stays 0.10),
so there the scale is compared too; numeric(p, s) rounds or pads every value to scale s, so
there only the value can differ. Dates and timestamps that Python cannot hold (PostgreSQL's
infinity and -infinity, which asyncpg stores for date.min/max and datetime.min/max) are
read back as their name, so they show as a difference instead of breaking the verification.
When the checksums differ, `first_difference` finds the first input row that did not arrive
intact and says which column changed.
"""

from __future__ import annotations

import json
import math
import struct
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from advisor.bench.data.datagen import Row, map_columns
from advisor.tables import Column, TableSpec

if TYPE_CHECKING:
    import psycopg

Canon = Callable[[Row], Hashable]
Transform = Callable[[Any], Any]
_MASK = DIGEST_MASK = (1 << 64) - 1
# Types whose fetched Python values compare and hash exactly as they were sent.
_EXACT_TYPES = frozenset(
    (
        "bigint",
        "integer",
        "smallint",
        "text",
        "character varying",
        "bpchar",  # character without a length: no padding
        "boolean",
        "date",
        "time without time zone",
        "time with time zone",
        "timestamp without time zone",
        "timestamp with time zone",
        "uuid",
        "bytea",
    )
)


@dataclass(frozen=True)
class Checksum:
    count: int
    digest: int

    def __str__(self) -> str:
        return f"{self.count} rows, {self.digest:016x}"

    def __add__(self, other: Checksum) -> Checksum:
        """Both sets of rows together: the digest is a sum of row hashes."""
        return Checksum(self.count + other.count, (self.digest + other.digest) & _MASK)


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
        return _json_data(value)
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    return value  # type: ignore[no-any-return]


def _json_data(value: Any) -> Hashable:
    """JSON compared as data: key order and jsonb's reformatting do not count."""
    return ("json", json.dumps(value, sort_keys=True))


def _json_key(value: Any) -> Hashable:
    """A JSON value as sent; None is SQL NULL."""
    return None if value is None else _json_data(value)


def _stored_json_key(text: str | None) -> Hashable:
    # Fetched as text so that a JSON null stored for an SQL NULL shows as a difference.
    return None if text is None else _json_data(json.loads(text))


class _Shown(str):
    """Text shown as is in a finding, without quotes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _show_json(text: str | None) -> Any:
    return None if text is None else _Shown(f"JSON {text}")


def _decimal_key(value: Any) -> Any:
    # Decimal("NaN") hashes by identity: two NaNs would never match.
    return ("nan",) if isinstance(value, Decimal) and value.is_nan() else value


def _decimal_scale_key(value: Any) -> Any:
    """The value and its scale: Decimal("0.10") == Decimal("0.1"), but a numeric column
    without a declared scale stores 0.10 and 0.1 differently. The scale of 1E+100 is 0,
    as PostgreSQL stores it."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return _decimal_key(value)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    return ("numeric", value, max(0, -exponent))


def _pack_double(value: Any) -> Any:
    return None if value is None else struct.pack(">d", value)


def _pack_real(value: Any) -> Any:
    return None if value is None else struct.pack(">f", value)


def _unpack_double(value: Any) -> Any:
    return None if value is None else struct.unpack(">d", value)[0]


def _unpack_real(value: Any) -> Any:
    return None if value is None else struct.unpack(">f", value)[0]


def _padded(length: int) -> Transform:
    """character(n) stores values blank-padded to n characters."""

    def pad(value: Any) -> Any:
        return value if value is None else value.ljust(length)

    return pad


def _each(element: Transform) -> Transform:
    """Apply `element` to every value of a (possibly nested) array; lists become tuples."""

    def walk(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(walk(v) for v in value)
        return None if value is None else element(value)

    return walk


@dataclass(frozen=True)
class ColumnCheck:
    """How one column is compared: the SQL that fetches it, and the matching Python transform.

    Floats are fetched as their exact bits (`float8send`), so -0.0, NaN and every last bit
    count, and stored rows hash at C speed. Exact types need nothing. Enums and JSON are
    fetched as text; anything else (arrays) is made canonical in Python on both sides.
    `shown` turns a fetched value back into what a person should see in a finding.
    """

    expr: str  # with {c} for the quoted column name
    expected: Transform | None  # applied to input values
    stored: Transform | None  # applied to fetched values
    shown: Transform | None = None
    # The form the server hashes for its digest (`BenchTable.server_digest`): one that tells
    # apart whatever this check tells apart. Exact types hash as they are; the others as
    # their bytes or text (float8's hash equates -0 and 0, numeric's ignores the scale,
    # json has no hash at all).
    digest: str = "{c}::text"

    def same(self, sent: Any, fetched: Any) -> bool:
        want = sent if self.expected is None else self.expected(sent)
        got = fetched if self.stored is None else self.stored(fetched)
        return bool(want == got)

    def show(self, fetched: Any) -> Any:
        return fetched if self.shown is None else self.shown(fetched)


_DOUBLE = ColumnCheck("float8send({c})", _pack_double, None, _unpack_double, "float8send({c})")
_REAL = ColumnCheck("float4send({c})", _pack_real, None, _unpack_real, "float4send({c})")
_EXACT = ColumnCheck("{c}", None, None, digest="{c}")
_BPCHAR = ColumnCheck("{c}", None, None, digest="bpcharsend({c})")  # its hash drops blanks
_AS_TEXT = ColumnCheck("{c}::text", None, None)  # enums: psycopg has no loader for them
_JSON = ColumnCheck("{c}::text", _json_key, _stored_json_key, _show_json)
_NUMERIC = ColumnCheck("{c}", _decimal_key, _decimal_key)
_NUMERIC_SCALE = ColumnCheck("{c}", _decimal_scale_key, _decimal_scale_key)
_CANONICAL = ColumnCheck("{c}", canonical, canonical)


def column_check(column: Column) -> ColumnCheck:
    if column.is_array:
        return _array_check(column)
    base = column.base_type
    if column.is_enum:
        return _AS_TEXT
    if base == "double precision":
        return _DOUBLE
    if base == "real":
        return _REAL
    if base in ("json", "jsonb"):
        return _JSON
    if base == "numeric":
        return _NUMERIC if column.modifiers else _NUMERIC_SCALE
    if base == "character" and column.modifiers:
        return ColumnCheck("{c}", _padded(column.modifiers[0]), None, digest="bpcharsend({c})")
    if base == "bpchar":
        return _BPCHAR
    if base in _EXACT_TYPES:
        return _EXACT
    return _CANONICAL


def _array_check(column: Column) -> ColumnCheck:
    """Arrays come back as (nested) lists: compare element by element, as tuples."""
    base = column.base_type
    if column.is_enum:
        return ColumnCheck("{c}::text[]", _each(canonical), _each(canonical))
    if base in ("json", "jsonb"):
        return ColumnCheck("{c}::text[]", _each(_json_key), _each(_stored_json_key))
    if base == "numeric":
        key = _decimal_key if column.modifiers else _decimal_scale_key
        return ColumnCheck("{c}", _each(key), _each(key))
    if base == "character" and column.modifiers:
        return ColumnCheck("{c}", _each(_padded(column.modifiers[0])), _each(canonical))
    return ColumnCheck("{c}", _each(canonical), _each(canonical))


_INFINITIES = {
    b"\x7f\xff\xff\xff": "infinity",  # date: int32 days
    b"\x80\x00\x00\x00": "-infinity",
    b"\x7f\xff\xff\xff\xff\xff\xff\xff": "infinity",  # timestamp(tz): int64 microseconds
    b"\x80\x00\x00\x00\x00\x00\x00\x00": "-infinity",
}


def register_infinity_loaders(cursor: psycopg.Cursor[Any]) -> None:
    """Let `cursor` read back in binary the dates and timestamps Python cannot hold (its
    datetime stops at years 1 and 9999): infinity and -infinity come back as those words,
    anything else out of range as a description. psycopg would raise DataError instead.

    psycopg's C loaders cannot be subclassed, so each is wrapped; the wrapper costs a call
    per date or timestamp read, only in the verifier.
    """
    from psycopg import DataError, abc
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    def tolerant(oid: int) -> type[Loader]:
        found = cursor.adapters.get_loader(oid, Format.BINARY)
        assert found is not None, "psycopg loads dates and timestamps in binary"
        base: type[abc.Loader] = found

        class InfinityTolerant(Loader):
            format = Format.BINARY

            def __init__(self, oid: int, context: Any = None) -> None:
                super().__init__(oid, context)
                self._load = base(oid, context).load

            def load(self, data: Any) -> Any:
                try:
                    return self._load(data)
                except DataError as exc:
                    name = _INFINITIES.get(bytes(data))
                    return _Shown(name if name else f"a value out of Python's range ({exc})")

        return InfinityTolerant

    for name in ("date", "timestamp", "timestamptz"):
        info = cursor.adapters.types.get(name)
        if info is not None:
            cursor.adapters.register_loader(info.oid, tolerant(info.oid))


@dataclass(frozen=True)
class Verifier:
    """Everything needed to checksum one table's content on both sides."""

    select_list: str  # SQL expressions, in insert-column order
    digest_list: str  # what the server hashes per column for its digest
    checks: tuple[ColumnCheck, ...]
    expected_key: Canon | None
    stored_key: Canon | None


def verifier_for(spec: TableSpec, quote: Callable[[str], str]) -> Verifier:
    checks = tuple(column_check(c) for c in spec.insert_columns)
    return Verifier(
        select_list=", ".join(
            ch.expr.format(c=quote(col.name))
            for ch, col in zip(checks, spec.insert_columns, strict=True)
        ),
        digest_list=", ".join(
            ch.digest.format(c=quote(col.name))
            for ch, col in zip(checks, spec.insert_columns, strict=True)
        ),
        checks=checks,
        expected_key=map_columns([ch.expected for ch in checks]),
        stored_key=map_columns([ch.stored for ch in checks]),
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


def _contrast(sent: Any, stored: Any, limit: int = 60) -> str:
    """`sent X, stored Y`; for long strings, the stretch around the first difference."""
    plain = f"sent {_show(sent, limit)}, stored {_show(stored, limit)}"
    if not (isinstance(sent, str | bytes) and type(sent) is type(stored)):
        return plain
    if len(repr(sent)) <= limit and len(repr(stored)) <= limit:
        return plain
    at = next(
        (i for i, (a, b) in enumerate(zip(sent, stored, strict=False)) if a != b),
        min(len(sent), len(stored)),
    )
    lo = max(0, at - 10)
    return (
        f"sent …{_show(sent[lo : at + 20], limit)}… ({len(sent)} long), "
        f"stored …{_show(stored[lo : at + 20], limit)}… ({len(stored)} long), "
        f"first difference at position {at + 1}"
    )


def first_difference(
    expected: Iterable[Row], stored: Iterable[Row], names: Sequence[str], verifier: Verifier
) -> str:
    """Describe the first input row (in input order) that is not stored exactly.

    `stored` rows are fetched with the verifier's select list, so both sides are compared
    exactly as the checksum compares them; this is the slow path, run only after a checksum
    mismatch.
    """
    expected_key = verifier.expected_key or tuple
    stored_key = verifier.stored_key or tuple
    stored_rows = list(stored)
    remaining = Counter(map(stored_key, stored_rows))
    missing: list[tuple[int, Row]] = []  # (1-based input position, row)
    for position, row in enumerate(expected, 1):
        k = expected_key(row)
        if remaining[k] > 0:
            remaining[k] -= 1
        else:
            missing.append((position, row))
    extra = [r for r in stored_rows if remaining[stored_key(r)] > 0]
    checks = verifier.checks
    if not missing and not extra:
        return ""
    if not missing:
        shown = tuple(ch.show(v) for ch, v in zip(checks, extra[0], strict=True))
        return f"{len(extra)} unexpected row(s) stored, first: {_show(shown, 120)}"
    position, row = missing[0]

    def agreeing(got: Row) -> int:
        return sum(ch.same(want, value) for ch, want, value in zip(checks, row, got, strict=True))

    # Pair it with the extra row that agrees on the most columns to name the changed value.
    best = max(extra, key=agreeing, default=None)
    if best is None:
        return f"{len(missing)} row(s) missing, first is input row {position}: {_show(row, 120)}"
    for name, check, want, got in zip(names, checks, row, best, strict=True):
        if not check.same(want, got):
            return f"input row {position}, column {name!r}: {_contrast(want, check.show(got))}" + (
                f" ({len(missing)} rows differ)" if len(missing) > 1 else ""
            )
    return f"input row {position} differs: {_show(row, 120)}"
