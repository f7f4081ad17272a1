"""Snippets for a user's table (`advisor recommend --table`): the table is read from the
catalogs, and every variant the rules can produce runs on the real table with rows of its
types: the rows arrive value for value, upserts update, and the generated ids come back."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from advisor.advice.rules import recommend
from advisor.bench.data.datagen import Row
from advisor.bench.data.typegen import TableData
from advisor.bench.introspect import read_table, snippet_table
from advisor.bench.server import Target, quote_ident
from advisor.bench.strategies.adapt import driver_row
from advisor.bench.strategies.frames import pandas_frame
from advisor.bench.verify import first_difference, verifier_for
from advisor.errors import InputError
from advisor.snippets import snippet
from advisor.snippets.table import SnippetTable
from advisor.tables import TableSpec
from advisor.workload import InputShape, Workload
from tests.shop import LINE_ITEMS, hostile_table, state
from tests.snippet_util import (
    call_snippet,
    check_tidy,
    import_snippet,
    sampled,
    variant_id,
    variants,
    workload,
)

ROWS = 12
HOSTILE = hostile_table()
TABLES = ("shop.orders", LINE_ITEMS, HOSTILE)
# shop.orders.customer_id references shop.customers, which holds ids 1 and 2.
EXISTING = {"customer_id": (1, 2)}


pytestmark = pytest.mark.usefixtures("shop", "line_items", "hostile")  # tests/fix_shop.py


@pytest.fixture(scope="module")
def described(target: Target) -> dict[str, tuple[SnippetTable, TableSpec]]:
    """Each table as a snippet sees it, and as the row generator and the verifier see it."""
    with target.connect(autocommit=True) as conn:
        specs = {name: read_table(conn, name) for name in (*TABLES, "shop.events")}
    return {name: (snippet_table(target, name), spec) for name, spec in specs.items()}


@pytest.fixture(scope="module")
def engine(target: Target) -> Iterator[sa.Engine]:
    engine = sa.create_engine(
        "postgresql+psycopg://", creator=target.connect, poolclass=sa.NullPool
    )
    yield engine
    engine.dispose()


# --- what was read ------------------------------------------------------------------------


def test_the_table_is_read_with_its_keys_and_quoted_names(
    described: dict[str, tuple[SnippetTable, TableSpec]],
) -> None:
    orders, _ = described["shop.orders"]
    assert orders.name == "shop.orders"
    assert [c.name for c in orders.returned] == ["id", "ticket", "total"]
    assert "id" not in {c.name for c in orders.columns}
    assert orders.key is not None and orders.key.columns == ("reference",)  # id is serial
    assert orders.reflection is not None and orders.reflection.identity is not None
    assert orders.reflection.identity.kind == "primary key"
    items, _ = described[LINE_ITEMS]
    assert items.name == '"Sales Data"."LineItems"'
    assert items.sql["order"] == '"order"' and items.sql["Qty"] == '"Qty"'
    assert items.sql["note"] == "note" and items.sql["unit price"] == '"unit price"'
    assert items.key is not None
    assert (items.key.name, items.key.kind) == ("line_items_key", "unique index")
    assert items.model == "LineItemsRow"
    events, _ = described["shop.events"]
    assert events.key is None and events.returned == ()
    assert events.reflection is not None and events.reflection.identity is None


def test_reading_the_table_writes_nothing(target: Target) -> None:
    before = state(target)
    snippet_table(target, "shop.orders")
    assert state(target) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("shop.order", "table 'shop.order' not found; did you mean 'shop.orders'?"),
        ("shop.paid_orders", "shop.paid_orders is a view, not a table"),
        ('"Sales Data".lineitems', "not found"),  # unquoted parts fold to lower case
    ],
)
def test_a_table_that_cannot_be_read_is_an_input_error(
    target: Target, name: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        snippet_table(target, name)


# --- every variant, run ---------------------------------------------------------------------

LABELS = {"shop.orders": "orders", LINE_ITEMS: "line_items", HOSTILE: "hostile"}
# What the ADBC paths cannot write (see snippets.table.adbc_limits), as the libraries say it:
# polars has no JSON type, and pyarrow builds no list of JSON values.
CANNOT = {
    ("polars_adbc", "shop.orders"): "unsupported jsonb version number",
    ("polars_adbc", LINE_ITEMS): "conversion from `struct",
    ("adbc_ingest", LINE_ITEMS): "Conversion failed for column extras",
}
VARIANTS = [
    pytest.param(name, sid, w, id=f"{LABELS[name]}-{variant_id(sid, w)}")
    for name in TABLES
    for sid, w in variants(ROWS)
]


@functools.cache  # the generator builds a block of 10,000 rows to hand out the first few
def _generated(spec: TableSpec, seed: int) -> tuple[Row, ...]:
    rows = TableData(spec, seed).rows(0, ROWS)
    names = spec.insert_names
    for column, values in EXISTING.items():
        if column in names:
            k = names.index(column)
            rows = [(*r[:k], values[i % len(values)], *r[k + 1 :]) for i, r in enumerate(rows)]
    return tuple(rows)


def _same_keys(
    rows: list[Row], like: list[Row], spec: TableSpec, key: tuple[str, ...]
) -> list[Row]:
    """`rows` with the key values of `like`: an upsert of them must update, not insert."""
    at = [spec.insert_names.index(c) for c in key]
    return [
        tuple(old[i] if i in at else value for i, value in enumerate(new))
        for new, old in zip(rows, like, strict=True)
    ]


def _csv_file(
    target: Target, table: SnippetTable, spec: TableSpec, rows: list[Row], tmp: Path
) -> str:
    """The rows as a CSV file the way PostgreSQL writes one (COPY ... TO ... CSV)."""
    path = tmp / "rows.csv"
    columns = ", ".join(table.sql[n] for n in spec.insert_names)
    convert = driver_row(spec) or (lambda row: row)
    with target.connect() as conn, conn.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE csv_rows AS SELECT {columns} FROM {table.name} WITH NO DATA"
        )
        with cur.copy("COPY csv_rows FROM STDIN") as copy:
            for row in rows:
                copy.write_row(convert(row))
        with (
            path.open("wb") as f,
            cur.copy("COPY csv_rows TO STDOUT (FORMAT csv, HEADER true)") as copy,
        ):
            for data in copy:
                f.write(data)
        conn.rollback()
    return str(path)


def _input(
    w: Workload,
    rows: list[Row],
    ns: dict[str, Any],
    case: tuple[SnippetTable, TableSpec],
    target: Target,
    engine: sa.Engine,
    tmp: Path,
) -> Any:
    """The rows in the workload's shape, as the user's code would hold them."""
    table, spec = case
    dicts = [dict(zip(spec.insert_names, row, strict=True)) for row in rows]
    if w.shape is InputShape.TUPLES:
        return rows
    if w.shape is InputShape.DICTS:
        return dicts
    if w.shape is InputShape.OBJECTS:
        if table.model in ns:  # a mapped class: as its comment says, map it before use
            ns["Reflected"].prepare(engine)
        make = ns.get(table.model, SimpleNamespace)
        return [make(**d) for d in dicts]
    if w.shape is InputShape.DATAFRAME:
        return pandas_frame(spec.insert_columns, rows)
    return _csv_file(target, table, spec, rows, tmp)


def _stored(target: Target, table: SnippetTable, spec: TableSpec, expected: list[Row]) -> list[Any]:
    """Check the table holds exactly `expected`; returns what the database generated."""
    verifier = verifier_for(spec, quote_ident)
    returned = ", ".join(table.sql[c.name] for c in table.returned)
    with target.connect() as conn, conn.cursor(binary=True) as cur:
        stored = cur.execute(f"SELECT {verifier.select_list} FROM {table.name}").fetchall()
        generated = (
            cur.execute(f"SELECT {returned} FROM {table.name}").fetchall() if returned else []
        )
    assert len(stored) == len(expected)
    difference = first_difference(expected, stored, spec.insert_names, verifier)
    assert difference == "", difference
    return sorted(g[0] if len(g) == 1 else tuple(g) for g in generated)


def _run(
    strategy: str,
    w: Workload,
    case: tuple[SnippetTable, TableSpec],
    target: Target,
    engine: sa.Engine,
    tmp: Path,
) -> str:
    """Run the snippet (twice for an upsert: the second pass must update) and check it all."""
    table, spec = case
    with target.connect() as conn:
        conn.execute(f"TRUNCATE {table.name} RESTART IDENTITY")
        conn.commit()
    code = snippet(strategy, w, table)
    ns = import_snippet(code, tmp)
    function = ns["load_csv" if w.shape is InputShape.CSV else "insert_rows"]
    first = list(_generated(spec, seed=1))
    passes = [first]
    if w.upsert and table.key is not None:
        second = list(_generated(spec, seed=2))
        passes.append(_same_keys(second, first, spec, table.key.columns))
    returned = []
    for rows in passes:
        data = _input(w, rows, ns, case, target, engine, tmp)
        result = call_snippet(strategy, function, data, target.session_conninfo())
        generated = _stored(target, table, spec, rows)
        if w.returning:
            assert sorted(result) == generated
            returned.append([g[0] if isinstance(g, tuple) else g for g in generated])
        else:
            assert result is None
    if len(returned) == 2:  # the ids, that is: a generated total may change with the update
        assert returned[0] == returned[1], "the second pass updated the same rows"
    return code


@pytest.mark.parametrize(("name", "strategy", "w"), sampled(VARIANTS))
def test_snippet_writes_the_users_table(
    name: str,
    strategy: str,
    w: Workload,
    described: dict[str, tuple[SnippetTable, TableSpec]],
    target: Target,
    engine: sa.Engine,
    tmp_path: Path,
) -> None:
    table, spec = described[name]
    code = snippet(strategy, w, table)
    # Names of 60 escaped characters cannot always keep to 79 columns: valid and tidy is
    # what the hostile table must keep (tests/test_snippet_injection.py checks the rest).
    check_tidy(code, width=None if name == HOSTILE else 79)
    for column in table.columns:  # the code names the user's columns
        assert repr(column.name)[1:-1] in code or name == HOSTILE
    assert table.name in code or name == HOSTILE
    if (strategy, name) in CANNOT:
        # What the library refuses, said above the code (and in the recommendation).
        assert f"Careful: {strategy} cannot write" in _prose(code)
        with pytest.raises(Exception, match=CANNOT[strategy, name]):
            _run(strategy, w, (table, spec), target, engine, tmp_path)
        return
    assert "Careful:" not in code
    _run(strategy, w, (table, spec), target, engine, tmp_path)


# --- a table without keys -----------------------------------------------------------------


def _prose(code: str) -> str:
    """The comments' sentences whole again, however they were wrapped."""
    return re.sub(r"\n *# ", " ", code)


@pytest.mark.parametrize(
    ("strategy", "shape"),
    [("driver_executemany", "dicts"), ("core_execute", "tuples"), ("driver_copy", "csv")],
)
def test_an_upsert_without_a_key_says_so_and_inserts(
    strategy: str,
    shape: str,
    described: dict[str, tuple[SnippetTable, TableSpec]],
    target: Target,
    engine: sa.Engine,
    tmp_path: Path,
) -> None:
    w = workload(shape, upsert=True, returning=False, rows=ROWS)
    code = _run(strategy, w, described["shop.events"], target, engine, tmp_path)
    assert "No ON CONFLICT: shop.events has no primary key or unique constraint" in _prose(code)
    assert "ALTER TABLE shop.events ADD UNIQUE (...)" in _prose(code)
    assert "ON CONFLICT (" not in code


def test_the_warnings_name_what_the_table_lacks(
    described: dict[str, tuple[SnippetTable, TableSpec]],
) -> None:
    events, _ = described["shop.events"]
    rec = recommend(workload("objects", upsert=True, returning=False, rows=ROWS), table=events)
    assert rec.strategy.startswith("orm_") and rec.table == "shop.events"
    joined = " ".join(rec.warnings)
    assert "shop.events has no primary key or unique constraint on the columns" in joined
    assert "The ORM maps only tables with a primary key" in joined
    assert "has no primary key or unique key: the ORM cannot map it" in _prose(rec.snippet)


def test_the_warnings_name_what_adbc_cannot_write(
    described: dict[str, tuple[SnippetTable, TableSpec]],
) -> None:
    items, _ = described[LINE_ITEMS]
    rec = recommend(
        workload("dataframe", upsert=False, returning=False, rows=5_000_000), table=items
    )
    assert rec.strategy == "adbc_ingest"
    assert (
        'adbc_ingest cannot write extras (jsonb[]) of "Sales Data"."LineItems": Arrow holds no'
        " list of JSON or uuid values for ADBC to write; pandas_copy can."
    ) in rec.warnings
    orders, _ = described["shop.orders"]
    assert not any("cannot write" in w for w in recommend(rec.workload, table=orders).warnings)


def test_returning_ids_from_a_table_that_generates_none_is_an_input_error(
    described: dict[str, tuple[SnippetTable, TableSpec]],
) -> None:
    events, _ = described["shop.events"]
    with pytest.raises(InputError, match=r"the database fills in no column of shop\.events"):
        snippet("driver_executemany", workload("dicts", False, True, ROWS), events)
