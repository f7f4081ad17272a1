"""The SQL text of an insert, shared by the snippets and the benchmark's strategies.

A strategy benchmarks the SQL its snippet shows: both build it here from `Writes` (the table,
and whether the rows are upserted and their generated ids returned). A statement is a list of
fragments that join into the SQL (`text`), so that a snippet can show it as a Python constant
within 79 columns and a strategy can run exactly the same string.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.snippets.table import SnippetTable
from advisor.tables import Column

SQL_WIDTH = 72  # a SQL fragment line: with its indent and quotes, the code stays in 79
_QUOTED_NAME = re.compile(r'"(?:[^"]|"")*"')
STAGING = "staging"  # the temporary table COPY loads when it cannot write the table directly


@dataclass(frozen=True)
class Writes:
    """What an insert writes to which table, and what it asks beyond a plain INSERT."""

    table: SnippetTable
    upsert: bool = False
    returning: bool = False

    @property
    def columns(self) -> tuple[Column, ...]:
        """What the insert writes: the table's columns the database does not fill in."""
        return self.table.columns

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def sql_names(self) -> tuple[str, ...]:
        return tuple(self.table.sql[n] for n in self.names)

    @property
    def bindable_by_name(self) -> bool:
        """Whether every name can be a `%(name)s` placeholder: one ends at the first ")", and a
        % or a quote in it would be taken for SQL around it (see `percent_placeholders`)."""
        return not any(ch in n for n in self.names for ch in '%()"')

    @property
    def upserting(self) -> bool:
        """ON CONFLICT as asked, when the table has a key to detect conflicts by."""
        return self.upsert and self.table.key is not None

    @property
    def key(self) -> tuple[str, ...]:
        return self.table.key.columns if self.table.key else ()

    @property
    def update_columns(self) -> tuple[str, ...]:
        returned = set(self.returned)
        rest = tuple(n for n in self.names if n not in returned and n not in self.key)
        # Only key columns written: "updating" them to the same values keeps RETURNING
        # working for existing rows, which DO NOTHING would not return.
        return rest or self.key

    @property
    def returned(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.table.returned)

    @property
    def staged(self) -> bool:
        """COPY has no ON CONFLICT and returns nothing: it loads a staging table instead,
        which one INSERT ... SELECT then writes to the table."""
        return self.upserting or self.returning


def text(lines: Sequence[str]) -> str:
    """The SQL a list of fragments stands for."""
    return "".join(lines)


def percent_placeholders(lines: Sequence[str]) -> list[str]:
    """The statement for a driver whose placeholders start with % (psycopg, psycopg2, for a
    query with parameters): a % inside a quoted name is doubled, or it would be read as one."""
    return [_QUOTED_NAME.sub(lambda m: m[0].replace("%", "%%"), line) for line in lines]


def sql_lines(head: str, items: Sequence[str], tail: str) -> list[str]:
    """`head` + comma-separated `items` + `tail`, as SQL fragments that join back into it."""
    lines = [head]
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else tail)
        sep = "" if lines[-1].endswith(("(", " ")) else " "
        if len(lines[-1]) + len(sep) + len(piece) > SQL_WIDTH:
            lines.append(" " + piece)
        else:
            lines[-1] += sep + piece
    return lines


def conflict_lines(w: Writes) -> list[str]:
    sql = w.table.sql
    sets = [f"{sql[c]} = excluded.{sql[c]}" for c in w.update_columns]
    pairs = [", ".join(sets[i : i + 2]) for i in range(0, len(sets), 2)]
    lines = [f" ON CONFLICT ({', '.join(sql[c] for c in w.key)}) DO UPDATE SET"]
    return lines + [f" {p}," for p in pairs[:-1]] + [f" {pairs[-1]}"]


def returning_line(w: Writes) -> str:
    return " RETURNING " + ", ".join(w.table.sql[n] for n in w.returned)


def insert_lines(w: Writes, values: list[str]) -> list[str]:
    """INSERT INTO the table's columns `values`, with ON CONFLICT and RETURNING as asked."""
    lines = [*sql_lines(f"INSERT INTO {w.table.name} (", w.sql_names, ")"), *values]
    if w.upserting:
        lines += conflict_lines(w)
    if w.returning:
        lines.append(returning_line(w))
    return lines


def values_lines(w: Writes, *, named: bool) -> list[str]:
    """` VALUES (%s, ...)`, or `%(name)s` placeholders for rows given as dicts (only when
    `w.bindable_by_name`)."""
    return sql_lines(" VALUES (", [f"%({n})s" if named else "%s" for n in w.names], ")")


def numbered_values_lines(w: Writes) -> list[str]:
    """` VALUES ($1, $2, ...)`: asyncpg's placeholders (PostgreSQL's own)."""
    return sql_lines(" VALUES (", [f"${i}" for i in range(1, len(w.names) + 1)], ")")


def paged_values_lines() -> list[str]:
    """` VALUES %s`: psycopg2's execute_values writes a page of rows where %s stands."""
    return [" VALUES %s"]


def row_template_lines(w: Writes) -> list[str]:
    """execute_values' template for one row, `(%s, %s::type[], ...)`: an array literal has the
    type of its elements (ARRAY['a'] is text[]), and no implicit cast leads from text[] to an
    enum or JSON array, so arrays are cast to the column's type."""
    return sql_lines("(", [f"%s::{c.type}" if c.is_array else "%s" for c in w.columns], ")")


def unnest_lines(w: Writes) -> list[str]:
    """`SELECT * FROM unnest(%s::type[], ...)`; array columns travel as text (unnest() would
    flatten an array of arrays) and are cast back in the select list."""
    columns, sql = w.columns, w.sql_names
    casts = [f"%s::{'text' if c.is_array else c.type}[]" for c in columns]
    if not any(c.is_array for c in columns):
        return sql_lines(" SELECT * FROM unnest(", casts, ")")
    values = [f"{q}::{c.type}" if c.is_array else q for c, q in zip(columns, sql, strict=True)]
    return [
        *sql_lines(" SELECT ", values, ""),
        *sql_lines(" FROM unnest(", casts, ")"),
        *sql_lines(" AS u(", sql, ")"),
    ]


def copy_lines(w: Writes, options: str) -> list[str]:
    """COPY into the table, or into the staging table when the insert needs one."""
    into = STAGING if w.staged else w.table.name
    return [*sql_lines(f"COPY {into} (", w.sql_names, ")"), f" FROM STDIN{options}"]


def staging_lines(w: Writes) -> list[str]:
    """An empty temporary table with the written columns' types, gone at commit."""
    return [
        f"CREATE TEMP TABLE {STAGING} ON COMMIT DROP AS",
        *sql_lines(" SELECT ", w.sql_names, f" FROM {w.table.name}"),
        " WITH NO DATA",
    ]


def staged_insert_lines(w: Writes) -> list[str]:
    """The one INSERT ... SELECT that writes the staging table's rows to the table."""
    return insert_lines(w, sql_lines(" SELECT ", w.sql_names, f" FROM {STAGING}"))
