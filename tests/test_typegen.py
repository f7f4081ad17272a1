"""Synthetic rows for a user's table: deterministic, type-correct, within the column limits."""

import struct
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from advisor.bench.data.datagen import BLOCK
from advisor.bench.data.typegen import TableData
from advisor.errors import InputError
from advisor.tables import Column, TableSpec

COLUMNS = (
    Column("id", "integer", nullable=False, db_generated=True),
    Column("code", "character varying(6)", nullable=False, unique=True),
    Column("name", "character varying(12)"),
    Column("country", "character(2)"),
    Column("qty", "smallint", nullable=False),
    Column("n", "bigint", nullable=False, unique=True),
    Column("price", "numeric(5,2)", nullable=False),
    Column("big", "numeric(20,4)", unique=True, nullable=False),
    Column("rate", "real"),
    Column("score", "double precision"),
    Column("ok", "boolean", nullable=False),
    Column("day", "date"),
    Column("at", "time(2) without time zone"),
    Column("local", "timestamp(0) without time zone"),
    Column("utc", "timestamp with time zone", nullable=False),
    Column("token", "uuid", nullable=False, unique=True),
    Column("doc", "jsonb"),
    Column("blob", "bytea"),
    Column("mood", "app.mood", nullable=False, labels=("sad", "ok", "happy")),
    Column("moods", "app.mood[]", labels=("sad", "ok", "happy")),
    Column("prices", "numeric(4,1)[]"),
    Column("status", "text", default="'new'::text"),
)
SPEC = TableSpec("t", COLUMNS, "")


def _by_name(rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    names = SPEC.insert_names
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def test_rows_are_deterministic_independent_of_slicing_and_seeded() -> None:
    data = TableData(SPEC, seed=3)
    whole = data.rows(0, BLOCK + 300)
    assert whole == data.rows(0, 1_000) + data.rows(1_000, BLOCK - 700)
    assert TableData(SPEC, seed=3).rows(BLOCK + 5, 3) == whole[BLOCK + 5 : BLOCK + 8]
    assert TableData(SPEC, seed=4).rows(0, 50) != whole[:50]


def test_values_fit_their_column_types() -> None:
    rows = TableData(SPEC).rows(0, 3_000)
    assert all(len(row) == len(SPEC.insert_columns) for row in rows)
    v = _by_name(rows)
    assert "id" not in v, "identity columns are left to the database"
    assert all(isinstance(s, str) and len(s) <= 6 for s in v["code"])
    assert all(s is None or len(s) <= 12 for s in v["name"])
    assert all(s is None or (1 <= len(s) <= 2 and s == s.rstrip()) for s in v["country"])
    assert all(isinstance(q, int) and 1 <= q <= 32_767 for q in v["qty"])
    for p in v["price"]:
        assert isinstance(p, Decimal) and p.as_tuple().exponent == -2 and 0 <= p < 1_000
    for r in v["rate"]:
        assert r is None or struct.unpack("f", struct.pack("f", r))[0] == r, "float32-exact"
    assert all(isinstance(s, float) for s in v["score"] if s is not None)
    assert all(isinstance(b, bool) for b in v["ok"])
    assert all(d is None or isinstance(d, date) for d in v["day"])
    assert all(t is None or (isinstance(t, time) and t.microsecond % 10_000 == 0) for t in v["at"])
    for ts in v["local"]:
        assert ts is None or (
            isinstance(ts, datetime) and ts.tzinfo is None and ts.microsecond == 0
        )
    assert all(isinstance(ts, datetime) and ts.tzinfo is UTC for ts in v["utc"])
    assert all(isinstance(u, uuid.UUID) for u in v["token"])
    assert all(d is None or isinstance(d, dict) for d in v["doc"])
    assert all(b is None or isinstance(b, bytes) for b in v["blob"])
    assert set(v["mood"]) == {"sad", "ok", "happy"}
    assert all(m is None or set(m) <= {"sad", "ok", "happy"} for m in v["moods"])
    for prices in v["prices"]:
        assert prices is None or all(abs(p) < 1_000 for p in prices)


def test_unique_not_null_and_default_columns() -> None:
    rows = TableData(SPEC).rows(0, 5_000)
    v = _by_name(rows)
    for name in ("code", "n", "big", "token"):
        assert len(set(v[name])) == 5_000, f"{name} is unique"
    for column in SPEC.insert_columns:
        nulls = sum(x is None for x in v[column.name])
        if column.nullable and column.default is None and not column.unique:
            assert 300 < nulls < 700, f"{column.name}: about 10% NULLs"
        else:
            assert nulls == 0, column.name
    assert v["status"][0] is not None, "a column with a DEFAULT always gets a value"


def test_unsupported_types_are_listed_together() -> None:
    spec = TableSpec(
        "t",
        (
            Column("id", "integer"),
            Column("shape", "point"),
            Column("words", "tsvector"),
            Column("search", "tsvector", db_generated=True),
            Column("span", "int4range[]"),
        ),
        "",
        source="app.t",
    )
    with pytest.raises(InputError) as raised:
        TableData(spec)
    assert str(raised.value).startswith(
        "cannot generate rows for app.t: unsupported column type(s):"
        " shape (point), words (tsvector), span (int4range[]); supported: smallint,"
    )


def test_a_table_the_database_fills_alone_cannot_be_benchmarked() -> None:
    spec = TableSpec("t", (Column("id", "bigint", db_generated=True),), "", source="app.t")
    with pytest.raises(InputError, match=r"app\.t has no columns to insert"):
        TableData(spec)
