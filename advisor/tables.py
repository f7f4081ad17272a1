"""Benchmark table definitions: which columns a benchmark writes and how the table is created.

A `TableSpec` is plain data (no database library). The standard table is the seed article's
realistic row; other specs come from the adversarial data set or a user's table.
"""

import re
from dataclasses import dataclass, field

from advisor.errors import InputError

_MODIFIERS = re.compile(r"\((-?\d+)(?:,(-?\d+))?\)")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as PostgreSQL's format_type() prints it: "bigint", "character varying(20)"
    nullable: bool = True
    db_generated: bool = False  # identity, serial or GENERATED: the database fills it in
    labels: tuple[str, ...] = ()  # an enum's labels (of the element type for an enum array)
    unique: bool = False  # in a unique index or key: generated values must not repeat
    default: str | None = None  # a DEFAULT expression the database would otherwise apply

    @property
    def insertable(self) -> bool:
        return not self.db_generated

    @property
    def is_enum(self) -> bool:
        return bool(self.labels)

    @property
    def is_array(self) -> bool:
        return self.type.endswith("[]")

    @property
    def element_type(self) -> str:
        """The type of one value: "integer" for "integer[]" (PostgreSQL ignores dimensions)."""
        return self.type.removesuffix("[]") if self.is_array else self.type

    @property
    def base_type(self) -> str:
        """The element type without modifiers: "timestamp with time zone" for
        "timestamp(3) with time zone", "numeric" for "numeric(10,2)"."""
        return _MODIFIERS.sub("", self.element_type)

    @property
    def modifiers(self) -> tuple[int, ...]:
        """Length, precision or (precision, scale): (20,) for "character varying(20)"."""
        found = _MODIFIERS.search(self.element_type)
        return () if found is None else tuple(int(g) for g in found.groups() if g is not None)


@dataclass(frozen=True)
class Key:
    """A primary key, unique constraint or unique index: what ON CONFLICT can name."""

    name: str  # of the constraint, or of the index when there is no constraint
    columns: tuple[str, ...]
    kind: str  # "primary key", "unique constraint" or "unique index"


@dataclass(frozen=True)
class TableSpec:
    """A table to create in the sandbox schema.

    `create_sql` is a CREATE TABLE statement with `{table}` where the quoted, schema-qualified
    name goes; `source` names the user's table this one clones, if any, and `schema` is the
    schema it lives in. `keys` are the user's table's keys, primary key first.
    """

    name: str
    columns: tuple[Column, ...]
    create_sql: str
    source: str | None = None
    notes: tuple[str, ...] = field(default=())
    schema: str = ""
    keys: tuple[Key, ...] = ()

    @property
    def insert_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.insertable)

    @property
    def insert_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.insert_columns)


STANDARD = TableSpec(
    name="standard_rows",
    columns=(
        Column("id", "bigint", nullable=False),
        Column("name", "text", nullable=False),
        Column("email", "text", nullable=False),
        Column("score", "double precision"),
        Column("active", "boolean", nullable=False),
        Column("created_at", "timestamp with time zone", nullable=False),
    ),
    create_sql=(
        "CREATE TABLE {table} ("
        " id bigint PRIMARY KEY,"
        " name text NOT NULL,"
        " email text NOT NULL,"
        " score double precision,"
        " active boolean NOT NULL,"
        " created_at timestamptz NOT NULL)"
    ),
)


def check_table_name(name: str) -> str:
    """`name` as given (`schema.name`, quoted parts allowed) unless no table can be called
    that; PostgreSQL judges the rest. Undecodable bytes in argv arrive as lone surrogates,
    which no driver can send."""
    if not name.strip():
        raise InputError("a table name cannot be empty")
    if "\0" in name:
        raise InputError(f"a table name cannot hold a NUL character: {name!r}")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"table name {name!r} holds bytes that are not text") from None
    return name
