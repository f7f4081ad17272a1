"""A user's table, read from the server's catalogs: the clone the benchmark writes to, and
the table a recommendation's snippet is written for.

`describe_table` turns `schema.name` into a `TableSpec`: columns with their types as
`format_type()` prints them, NOT NULL, defaults, enum labels, identity, serial and generated
columns, the columns of unique indexes, and the keys ON CONFLICT can name (primary key first);
`snippet_table` adds how SQL must spell each identifier. A name is resolved as SQL resolves it
(`to_regclass`): quoted parts keep their case, and a name without a schema follows the
connection's search_path, normally `public`.

The user's table is only ever read. Reading the catalogs takes no lock on it, and the
clone's `CREATE TABLE ... (LIKE source ...)` opens it with ACCESS SHARE, the lock a plain
SELECT takes, which conflicts only with ACCESS EXCLUSIVE (DROP, TRUNCATE, most ALTER TABLE):
writers are never blocked. A serial column's default would call `nextval()` on the user's
sequence, which writes to it; the clone gets an identity of its own instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from advisor.bench.server import SANDBOX_SCHEMA, quote_ident
from advisor.errors import InputError
from advisor.snippets.table import SnippetTable, user_table
from advisor.strategy_info import suggest
from advisor.tables import Column, Key, TableSpec

if TYPE_CHECKING:
    import psycopg

    from advisor.bench.server import Target

_SERIAL_DEFAULT = re.compile(r"nextval\('(?:[^']|'')+'::regclass\)")
_IDENTITY_TYPES = ("smallint", "integer", "bigint")
_RELKINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
    "S": "sequence",
    "i": "index",
    "I": "partitioned index",
    "c": "composite type",
    "t": "TOAST table",
}
# (option, first server version with it)
_LIKE_OPTIONS = (
    ("DEFAULTS", 0),
    ("CONSTRAINTS", 0),
    ("INDEXES", 0),
    ("STORAGE", 0),
    ("IDENTITY", 100000),
    ("GENERATED", 120000),
    ("COMPRESSION", 140000),
)

_COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.attidentity <> '' OR a.attgenerated <> '', pg_get_expr(d.adbin, d.adrelid),
       ARRAY(SELECT e.enumlabel FROM pg_enum e
             WHERE e.enumtypid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END
             ORDER BY e.enumsortorder),
       EXISTS (SELECT FROM pg_index i
               WHERE i.indrelid = a.attrelid AND i.indisunique
                 AND (a.attnum = ANY (i.indkey)
                      OR EXISTS (SELECT FROM pg_depend dep  -- used in an index expression
                                 WHERE dep.classid = 'pg_class'::regclass
                                   AND dep.objid = i.indexrelid
                                   AND dep.refobjid = a.attrelid
                                   AND dep.refobjsubid = a.attnum)))
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

# The keys ON CONFLICT (columns) can infer: valid, not deferrable, no predicate, no expression;
# the primary key first, then unique constraints, then plain unique indexes, oldest first.
_KEYS_SQL = """
SELECT coalesce(con.conname, ic.relname), i.indisprimary, con.conname IS NOT NULL,
       ARRAY(SELECT a.attname
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.n <= i.indnkeyatts
             ORDER BY k.n)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_constraint con
       ON con.conrelid = i.indrelid AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u')
WHERE i.indrelid = %s AND i.indisunique AND i.indisvalid AND i.indimmediate
  AND i.indpred IS NULL AND NOT 0 = ANY (i.indkey::int2[])
ORDER BY i.indisprimary DESC, con.conname IS NULL, i.indexrelid
"""

_COUNTS_SQL = """
SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = %(oid)s AND contype = 'c'),
       (SELECT count(*) FROM pg_index WHERE indrelid = %(oid)s),
       (SELECT count(*) FROM pg_constraint WHERE conrelid = %(oid)s AND contype = 'f'),
       (SELECT count(*) FROM pg_trigger WHERE tgrelid = %(oid)s AND NOT tgisinternal),
       current_setting('server_version_num')::int
"""


def snippet_table(target: Target, name: str) -> SnippetTable:
    """The table `name` as `advisor recommend --table` writes code for it. The session is
    read-only: nothing but the catalogs is read, and nothing can be written."""
    with target.connect(autocommit=True) as conn:
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        spec = read_table(conn, name)
        return user_table(spec, quoted_identifiers(conn, spec))


def quoted_identifiers(conn: psycopg.Connection[Any], spec: TableSpec) -> dict[str, str]:
    """The schema, table and column names as SQL must write them, by the server's own rules
    (case, characters, its keywords): PostgreSQL's quote_ident()."""
    identifiers = [spec.schema, spec.name, *(c.name for c in spec.columns)]
    quoted = conn.execute(
        "SELECT n, quote_ident(n) FROM unnest(%s::text[]) AS n", (identifiers,)
    ).fetchall()
    return {str(n): str(q) for n, q in quoted}


def describe_table(target: Target, name: str) -> TableSpec:
    """The table `name` ("schema.table") as a TableSpec whose `create_sql` clones it."""
    with target.connect(autocommit=True) as conn:
        return read_table(conn, name)


def read_table(conn: psycopg.Connection[Any], name: str) -> TableSpec:
    """`describe_table` on an open connection (the sandbox's, during a benchmark)."""
    oid, schema, relname, relkind, persistence = _resolve(conn, name)
    source = f"{schema}.{relname}"
    columns: list[Column] = []
    replaced: list[str] = []  # serial columns that get an identity of their own in the clone
    dropped: list[str] = []  # other defaults that would call nextval() on the user's sequence
    for attname, type_, notnull, generated, default, labels, unique in conn.execute(
        _COLUMNS_SQL, (oid,)
    ):
        serial = default is not None and _SERIAL_DEFAULT.fullmatch(default) is not None
        if serial and _base(type_) in _IDENTITY_TYPES:
            replaced.append(attname)
        elif default is not None and "nextval(" in default:
            dropped.append(attname)
        db_generated = bool(generated) or attname in replaced
        columns.append(
            Column(
                name=attname,
                type=type_,
                nullable=not notnull,
                db_generated=db_generated,
                labels=tuple(labels),
                unique=bool(unique),
                default=None if db_generated else default,
            )
        )
    counts = conn.execute(_COUNTS_SQL, {"oid": oid}).fetchone()
    checks, indexes, foreign_keys, triggers, version = counts if counts else (0, 0, 0, 0, 0)
    like = " ".join(f"INCLUDING {option}" for option, since in _LIKE_OPTIONS if version >= since)
    statements = [
        f"CREATE {'UNLOGGED ' if persistence == 'u' else ''}TABLE {{table}}"
        f" (LIKE {_braces(quote_ident(schema))}.{_braces(quote_ident(relname))} {like})"
    ]
    fixes = [
        f"ALTER COLUMN {q} DROP DEFAULT, ALTER COLUMN {q} SET NOT NULL,"
        f" ALTER COLUMN {q} ADD GENERATED BY DEFAULT AS IDENTITY"
        for q in map(_quoted, replaced)
    ] + [f"ALTER COLUMN {q} DROP DEFAULT" for q in map(_quoted, dropped)]
    if fixes:
        statements.append("ALTER TABLE {table} " + ", ".join(fixes))
    notes = [
        f"an empty clone of {source} in the sandbox ({source} itself is only read): defaults,"
        f" {checks} CHECK constraint(s), {indexes} index(es), identity and generated columns"
        f" copied; {foreign_keys} foreign key(s) and {triggers} trigger(s) are not carried over"
    ]
    if relkind == "p":
        notes.append(f"{source} is partitioned: the clone is one plain table")
    if replaced:
        notes.append(
            f"serial column(s) {', '.join(replaced)}: the clone numbers rows with an identity"
            f" of its own, so the sequence of {source} is never advanced"
        )
    with_default = [c.name for c in columns if c.default is not None]
    if with_default:
        notes.append(
            f"column(s) with a DEFAULT ({', '.join(with_default)}) get generated values, never"
            " NULL, so that every stored value can be verified"
        )
    return TableSpec(
        name=relname,
        columns=tuple(columns),
        create_sql="; ".join(statements),
        source=source,
        notes=tuple(notes),
        schema=schema,
        keys=_keys(conn, oid),
    )


def _keys(conn: psycopg.Connection[Any], oid: int) -> tuple[Key, ...]:
    kinds = {(True, True): "primary key", (False, True): "unique constraint"}
    return tuple(
        Key(str(name), tuple(columns), kinds.get((primary, constraint), "unique index"))
        for name, primary, constraint, columns in conn.execute(_KEYS_SQL, (oid,))
    )


def _resolve(conn: psycopg.Connection[Any], name: str) -> tuple[int, str, str, str, str]:
    import psycopg

    try:
        row = conn.execute(
            "SELECT c.oid::int, n.nspname, c.relname, c.relkind, c.relpersistence"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.oid = to_regclass(%s)",
            (name,),
        ).fetchone()
    except psycopg.Error as exc:  # a name PostgreSQL cannot parse
        raise InputError(f"invalid table name {name!r}: {exc.diag.message_primary}") from None
    if row is None:
        raise InputError(f"table {name!r} not found{suggest(name, _table_names(conn))}")
    oid, schema, relname, relkind, persistence = row
    if schema == SANDBOX_SCHEMA:
        raise InputError(f"{name!r} is in pg-insert-advisor's own sandbox schema")
    if relkind not in ("r", "p"):
        kind = _RELKINDS.get(relkind, "relation")
        raise InputError(f"{schema}.{relname} is a {kind}, not a table")
    return int(oid), str(schema), str(relname), str(relkind), str(persistence)


def _table_names(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT n.nspname || '.' || c.relname FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL (%s)"
        " AND n.nspname NOT LIKE 'pg\\_%%'",
        (["information_schema", SANDBOX_SCHEMA],),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _base(type_: str) -> str:
    return Column("", type_).base_type


def _braces(sql: str) -> str:
    """Escape a piece of SQL for the `{table}` placeholder's str.format()."""
    return sql.replace("{", "{{").replace("}", "}}")


def _quoted(name: str) -> str:
    return _braces(quote_ident(name))
