"""The adversarial data set: values that break naive loaders, which every strategy must store
exactly.

Each column cycles through its own list of awkward values (NULL among them in every
nullable column), so any prefix of `len(longest list)` rows holds every value, and longer
runs repeat the set with the columns in new combinations. The rows do not depend on the seed.

Left out on purpose, because PostgreSQL itself cannot store them (no loader is to blame):
NUL characters in text and `\\u0000` in jsonb, lone UTF-16 surrogates (not encodable as
UTF-8), NaN and infinities inside JSON (not JSON), JSON floats with exponents or -0.0 (jsonb
keeps numbers as numeric and prints them differently), and timestamps PostgreSQL accepts
but Python cannot represent (years 0 and below or 10000 and above, 'infinity').
"""

import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from advisor.bench.data.datagen import Row
from advisor.tables import Column, TableSpec

_LONG = 10 * 1024  # a 10 kB value: past psycopg's and COPY's small-buffer paths


def _tz(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


TEXT: tuple[str | None, ...] = (
    None,
    "",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\\",
    "\\\\",
    "\\N",  # COPY's NULL marker, as text
    "\\.",  # COPY's end-of-data marker
    "NULL",
    "null",
    "'",
    '"',
    "''",
    "a\tb\nc\rd\\e",
    ",",
    "|",
    ";",
    'a,b|c;d"e',
    "\x01\x02\x1b\x1f\x7f",
    "\b\f\v",
    "\U0001f600",  # emoji outside the BMP
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # emoji joined with zero-width joiners
    "\U0001f1fa\U0001f1f3",  # flag: two regional indicators
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",  # Arabic, RTL
    "\u202eevil\u202c",  # right-to-left override
    "e\u0301",  # e + combining acute accent (not the precomposed é)
    "\u00e9",  # the precomposed é: must stay distinct from the one above
    "Z\u0324\u0354\u0367\u0311a\u0308\u0356l\u036e\u0312g\u030c\u0317o\u0319\u0314",
    "\ufeffbyte order mark",
    "\u00a0non-breaking space",
    "line\u2028separator",
    "\u65e5\u672c\u8a9e",
    " leading and trailing ",
    "{}",
    "{a,b}",
    '{"a": 1}',
    "x" * _LONG,
    "\t\n\\\"'" * (_LONG // 5),
    "\U0001f600" * (_LONG // 4),
)

DOUBLE: tuple[float | None, ...] = (
    None,
    0.0,
    -0.0,
    1.0,
    -1.0,
    float("inf"),
    float("-inf"),
    float("nan"),
    1e308,
    -1e308,
    1.7976931348623157e308,  # largest double
    5e-324,  # smallest subnormal
    2.2250738585072014e-308,  # smallest normal
    0.1,
    1 / 3,
    123456789.12345679,
)

# Exactly representable as float32, so the text and binary paths must agree bit for bit.
REAL: tuple[float | None, ...] = (
    None,
    0.0,
    -0.0,
    float("inf"),
    float("-inf"),
    float("nan"),
    3.4028234663852886e38,  # largest float32
    1.401298464324817e-45,  # smallest float32 subnormal
    1.1754943508222875e-38,  # smallest float32 normal
    0.10000000149011612,  # 0.1 as float32
    16777216.0,  # 2**24
    -1.5,
)

BIGINT: tuple[int | None, ...] = (
    None,
    -(2**63),
    2**63 - 1,
    0,
    -1,
    1,
    2**31,
    -(2**31) - 1,
    2**53 + 1,  # not representable as a double: must not pass through one
)

NUMERIC: tuple[Decimal | None, ...] = (
    None,
    Decimal(0),
    Decimal("0.10"),  # the scale is kept
    Decimal("-0.000000000000000000000000000001"),
    Decimal("123456789012345678901234567890.123456789012345678901234567890"),
    Decimal("1E+100"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
)

# Chosen so that the UTC instant stays inside Python's years 1..9999.
TIMESTAMPTZ: tuple[datetime | None, ...] = (
    None,
    datetime(1, 1, 1, 12, 0, tzinfo=_tz(5)),
    datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 12, 0, tzinfo=_tz(-5)),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(2000, 1, 1, tzinfo=UTC),  # PostgreSQL's own epoch
    datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=_tz(14)),
    datetime(2024, 3, 31, 2, 30, tzinfo=_tz(-12)),
    datetime(2024, 6, 1, 12, 0, 0, 1, tzinfo=_tz(5, 45)),
)

TIMESTAMP: tuple[datetime | None, ...] = (
    None,
    datetime(1, 1, 1),
    datetime(9999, 12, 31, 23, 59, 59, 999_999),
    datetime(2000, 1, 1),
    datetime(1999, 12, 31, 23, 59, 59, 999_999),
    datetime(1969, 12, 31, 23, 59, 59, 1),
)

DATE: tuple[date | None, ...] = (None, date(1, 1, 1), date(9999, 12, 31), date(2000, 2, 29))

BOOLEAN: tuple[bool | None, ...] = (None, True, False)

JSONB: tuple[Any, ...] = (
    None,
    {},
    [],
    "just a string",
    0,
    12345678901234567890,  # beyond int64: jsonb keeps it as numeric
    {
        "tab": "\t",
        "newline": "\n",
        "cr": "\r",
        "backslash": "\\",
        "quote": '"',
        "copy null": "\\N",
        "emoji": "\U0001f600",
        "rtl": "\u0645\u0631\u062d\u0628\u0627",
        "combining": "e\u0301",
    },
    [None, True, False, 0, -1, 2**63 - 1, 0.1, 1.5, "", [[]]],
    {"nested": {"deeper": [{"x": None}, {"y": [1, 2, {"z": "\\"}]}]}},
    {"": ""},
)

BYTEA: tuple[bytes | None, ...] = (
    None,
    b"",
    b"\x00",
    b"\\N",
    b"\\x00",
    b"\r\n\t",
    bytes(range(256)),
    random.Random(0).randbytes(_LONG),
)

TEXT_ARRAY: tuple[Any, ...] = (
    None,
    [],
    [None],
    ["", None, "NULL", "null"],
    ["a,b", "{c}", '"q"', "\\", " spaced ", "\t\n"],
    ["\U0001f600", "e\u0301", "\\N"],
    [["a", "b"], ["c", None]],  # two dimensions
)

DOUBLE_ARRAY: tuple[Any, ...] = (
    None,
    [],
    [float("nan"), -0.0, float("inf"), float("-inf"), 5e-324, None],
)

_COLUMNS: tuple[tuple[Column, tuple[Any, ...]], ...] = (
    (Column("txt", "text"), TEXT),
    (Column("f8", "double precision"), DOUBLE),
    (Column("f4", "real"), REAL),
    (Column("i8", "bigint"), BIGINT),
    (Column("num", "numeric"), NUMERIC),
    (Column("ts", "timestamp with time zone"), TIMESTAMPTZ),
    (Column("ts_local", "timestamp without time zone"), TIMESTAMP),
    (Column("day", "date"), DATE),
    (Column("flag", "boolean"), BOOLEAN),
    (Column("doc", "jsonb"), JSONB),
    (Column("raw", "bytea"), BYTEA),
    (Column("tags", "text[]"), TEXT_ARRAY),
    (Column("f8s", "double precision[]"), DOUBLE_ARRAY),
)

SET_SIZE = max(len(values) for _, values in _COLUMNS)

ADVERSARIAL = TableSpec(
    name="adversarial_rows",
    columns=(Column("id", "bigint", nullable=False), *(column for column, _ in _COLUMNS)),
    create_sql=(
        "CREATE TABLE {table} (id bigint PRIMARY KEY, "
        + ", ".join(f"{column.name} {column.type}" for column, _ in _COLUMNS)
        + ")"
    ),
    notes=(
        f"adversarial data: {SET_SIZE} rows hold every awkward value once per column; "
        "more rows repeat them in new combinations",
    ),
)


class AdversarialData:
    """Row i has id i + 1 and, in each column, value i modulo that column's list."""

    spec = ADVERSARIAL

    def rows(self, start: int, count: int) -> list[Row]:
        lists = [values for _, values in _COLUMNS]
        return [
            (i + 1, *(values[i % len(values)] for values in lists))
            for i in range(start, start + count)
        ]
