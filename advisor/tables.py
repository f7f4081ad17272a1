"""Benchmark table definitions: which columns a benchmark writes and how the table is created.

A `TableSpec` is plain data (no database library). The standard table is the article's
realistic row; other specs come from the adversarial data set or a user's table.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as PostgreSQL's format_type() prints it: "bigint", "character varying(20)"
    nullable: bool = True
    db_generated: bool = False  # identity, serial or GENERATED: the database fills it in

    @property
    def insertable(self) -> bool:
        return not self.db_generated


@dataclass(frozen=True)
class TableSpec:
    """A table to create in the sandbox schema.

    `create_sql` is a CREATE TABLE statement with `{table}` where the quoted, schema-qualified
    name goes; `source` names the user's table this one clones, if any.
    """

    name: str
    columns: tuple[Column, ...]
    create_sql: str
    source: str | None = None
    notes: tuple[str, ...] = field(default=())

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
