"""The table a snippet writes to, as plain data: the built-in standard table, or a user's
table read from the server's catalogs (`introspect.snippet_table` reads it, `user_table`
describes it). No database library here: the recommendation engine stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from advisor.strategy_info import STRATEGIES, Layer
from advisor.tables import STANDARD, Column, Key, TableSpec
from advisor.workload import Workload


@dataclass(frozen=True)
class Reflection:
    """A user's table as SQLAlchemy finds it: by name, its definition read from the catalogs."""

    schema: str
    table: str
    identity: Key | None  # how the ORM tells rows apart: the primary key, else a unique key


@dataclass(frozen=True)
class SnippetTable:
    """What a snippet must know of the table it writes to."""

    name: str  # qualified, as SQL (and --table) write it: shop.orders, "Sales"."LineItems"
    columns: tuple[Column, ...]  # the columns the code writes, in table order
    returned: tuple[Column, ...]  # what the database fills in: RETURNING brings it back
    key: Key | None  # the ON CONFLICT target; None when the table has none
    sql: Mapping[str, str]  # a column name as SQL must write it (quoted when needed)
    model: str  # the ORM class's name
    variable: str  # the Core Table's Python name
    reflection: Reflection | None = None  # None: the built-in table, spelled out in the code


# The standard table as the snippets define it: with an identity key (RETURNING brings it back)
# and a unique email (the ON CONFLICT target). The code never writes the id: rows from an API
# or a form carry none, and ids written by hand would leave the identity behind, so that the
# next row it numbers collides.
STANDARD_TABLE = SnippetTable(
    name=STANDARD.name,
    columns=STANDARD.columns[1:],
    returned=STANDARD.columns[:1],
    key=Key(f"{STANDARD.name}_email_key", ("email",), "unique constraint"),
    sql={c.name: c.name for c in STANDARD.columns},
    model="StandardRow",
    variable=STANDARD.name,
)


def conflict_key(spec: TableSpec) -> Key | None:
    """What ON CONFLICT names: the first key (primary key first) made only of columns the
    code writes; a key on a column the database fills in never sees a conflict."""
    names = {c.name for c in spec.insert_columns}
    return next((k for k in spec.keys if names.issuperset(k.columns)), None)


def user_table(spec: TableSpec, quoted: Mapping[str, str]) -> SnippetTable:
    """A user's table read from the catalogs; `quoted` spells each of its identifiers (schema,
    table, columns) as PostgreSQL's quote_ident() does."""
    return SnippetTable(
        name=f"{quoted[spec.schema]}.{quoted[spec.name]}",
        columns=spec.insert_columns,
        returned=tuple(c for c in spec.columns if c.db_generated),
        key=conflict_key(spec),
        sql={c.name: quoted[c.name] for c in spec.columns},
        model=_class_name(spec.name),
        variable="table",  # fixed: a name taken from the table could shadow the code's own
        reflection=Reflection(spec.schema, spec.name, spec.keys[0] if spec.keys else None),
    )


def _class_name(table: str) -> str:
    """orders -> OrdersRow, "line items" -> LineItemsRow: the suffix keeps it clear of every
    name the code imports (a table called "session" must not hide Session)."""
    words = re.findall(r"[^\W_]+", table)
    name = "".join(w[:1].upper() + w[1:] for w in words) + "Row"
    return name if name.isidentifier() else f"Table{name}"


def adbc_limits(table: SnippetTable, strategy: str) -> list[str]:
    """The columns the ADBC paths cannot write, in words; none when they can write them all.

    polars has no JSON type: a JSON value goes as text, which binary COPY into jsonb refuses.
    pyarrow builds no list of JSON or uuid values (extension types), so arrays of them fail.
    """
    if strategy not in ("polars_adbc", "adbc_ingest"):
        return []
    out = []
    for c in table.columns:
        json_or_uuid = c.base_type in ("json", "jsonb", "uuid")
        if strategy == "polars_adbc" and c.base_type == "jsonb" and not c.is_array:
            why = "polars sends JSON as plain text, and binary COPY into jsonb refuses it"
        elif c.is_array and json_or_uuid:
            why = "Arrow holds no list of JSON or uuid values for ADBC to write"
        else:
            continue
        out.append(
            f"{strategy} cannot write {table.sql[c.name]} ({c.type}) of {table.name}: {why}; "
            "pandas_copy can."
        )
    return out


def table_warnings(table: SnippetTable, w: Workload, strategy: str) -> list[str]:
    """What the table itself keeps the snippet from doing as the answers ask."""
    layer = STRATEGIES[strategy].layer
    out = adbc_limits(table, strategy)
    if w.upsert and table.key is None:
        out.append(
            f"upsert: {table.name} has no primary key or unique constraint on the columns the "
            "code writes, so ON CONFLICT cannot tell an existing row from a new one; the "
            f"snippet inserts without it. Add one (ALTER TABLE {table.name} ADD UNIQUE (...)) "
            "and ask again."
        )
    if layer is Layer.ORM and table.reflection and table.reflection.identity is None:
        out.append(
            f"The ORM maps only tables with a primary key (or a unique key in its place), and "
            f"{table.name} has neither: add one, or use core_execute (Core needs no key)."
        )
    return out
