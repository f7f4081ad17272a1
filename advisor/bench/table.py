"""The sandbox table a benchmark writes to, with the views strategies need of it."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from advisor.bench.introspect import quoted_identifiers
from advisor.bench.server import Sandbox, quote_ident
from advisor.bench.verify import (
    DIGEST_MASK,
    Checksum,
    ChecksumBuilder,
    register_infinity_loaders,
    verifier_for,
)
from advisor.errors import InputError
from advisor.results import Semantics
from advisor.snippets.sql import Writes
from advisor.snippets.table import SnippetTable, user_table
from advisor.tables import TableSpec

if TYPE_CHECKING:
    import psycopg
    import sqlalchemy as sa

Row = tuple[Any, ...]
FETCH_ROWS = 50_000


class BenchTable:
    """A table created from `spec` inside the sandbox schema, written with `semantics`."""

    def __init__(
        self, sandbox: Sandbox, spec: TableSpec, semantics: Semantics | None = None
    ) -> None:
        self.sandbox = sandbox
        self.spec = spec
        self.semantics = semantics or Semantics()
        self.schema = sandbox.schema
        self.name = spec.name
        self.qualified = sandbox.qualified(spec.name)
        self.names = spec.insert_names
        self.column_list = ", ".join(quote_ident(n) for n in self.names)
        self.verifier = verifier_for(spec, quote_ident)

    def create(self) -> None:
        import psycopg

        try:
            self.sandbox.admin.execute(self.spec.create_sql.format(table=self.qualified))
        except psycopg.errors.InsufficientPrivilege as exc:  # LIKE needs SELECT on the source
            raise InputError(
                f"cannot clone {self.spec.source or self.name}: {exc.diag.message_primary}"
            ) from None

    def violation(self, exc: psycopg.errors.IntegrityError) -> str:
        """A sentence naming the constraint the rows broke, with its definition."""
        kind = _CONSTRAINT_KINDS.get(type(exc).__name__, "a constraint")
        name = exc.diag.constraint_name
        row = self.sandbox.admin.execute(
            "SELECT coalesce("
            " (SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            "  WHERE conrelid = %(t)s::regclass AND conname = %(n)s),"
            " (SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
            "  JOIN pg_class c ON c.oid = i.indexrelid"
            "  WHERE i.indrelid = %(t)s::regclass AND c.relname = %(n)s))",
            {"t": self.qualified, "n": name},
        ).fetchone()
        definition = f": {row[0]}" if row and row[0] else ""
        what = f'{kind} "{name}"' if name else f"{kind} ({exc.diag.message_primary})"
        source = self.spec.source or self.name
        return (
            f"the generated rows violate {what} of {source}{definition}; synthetic rows cannot"
            " satisfy it, so benchmark a copy of the table without it"
        )

    @cached_property
    def snippet_table(self) -> SnippetTable:
        """This table as a snippet describes a user's table: its quoted names, the columns
        written, what the database generates, and the key ON CONFLICT names."""
        sandboxed = replace(self.spec, schema=self.schema)
        return user_table(sandboxed, quoted_identifiers(self.sandbox.admin, sandboxed))

    @cached_property
    def writes(self) -> Writes:
        """What the strategies write and get back: the SQL they run is built from it, by the
        same functions as their snippets'."""
        return Writes(self.snippet_table, self.semantics.upsert, self.semantics.returning)

    @cached_property
    def type_oids(self) -> list[int]:
        """Type OIDs of the inserted columns, in insert order (for binary COPY)."""
        rows = self.sandbox.admin.execute(
            "SELECT attname, atttypid::int FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (self.qualified,),
        ).fetchall()
        by_name = {str(name): int(oid) for name, oid in rows}
        return [by_name[n] for n in self.names]

    @cached_property
    def can_checkpoint(self) -> bool:
        row = self.sandbox.admin.execute(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_checkpoint', 'MEMBER')"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        return bool(row and row[0])

    def reset(self, checkpoint: bool = True) -> None:
        """Empty the table and (with `checkpoint`) flush dirty pages, so every timed run
        starts from the same state."""
        self.sandbox.admin.execute(f"TRUNCATE {self.qualified} RESTART IDENTITY")
        if checkpoint and self.can_checkpoint:
            self.sandbox.admin.execute("CHECKPOINT")

    @cached_property
    def _digest_sql(self) -> str | None:
        """The digest query; None where the server has no hash_record_extended (before 14)."""
        if self.sandbox.admin.info.server_version < 140000:
            return None
        return (
            f"SELECT count(*), coalesce(sum(hash_record_extended(ROW({self.verifier.digest_list}),"
            f" 0)), 0) FROM {self.qualified}"
        )

    def server_digest(self) -> Checksum | None:
        """Row count and the sum (mod 2**64) of a 64-bit hash of each stored row, computed in
        the server over exact forms of the values (`Verifier.digest_list`): equal for two
        tables exactly when they hold the same rows, bar a 2**-64 collision. Costs a scan,
        not a transfer: a fraction of `stored_checksum`. None when the server cannot."""
        import psycopg

        sql = self._digest_sql
        if sql is None:
            return None
        try:
            row = self.sandbox.admin.execute(sql).fetchone()
        except psycopg.errors.UndefinedFunction:
            self.__dict__["_digest_sql"] = None  # not this server: full read-backs from now on
            return None
        assert row is not None
        return Checksum(int(row[0]), int(row[1]) & DIGEST_MASK)

    def stored_batches(self) -> Iterator[list[Row]]:
        """The stored rows of the inserted columns in the verifier's exact form (floats as
        bits, enums and JSON as text), streamed in binary through a server cursor."""
        conn = self.sandbox.admin
        with conn.transaction(), conn.cursor(name="advisor_verify", binary=True) as cur:
            register_infinity_loaders(cur)
            cur.execute(f"SELECT {self.verifier.select_list} FROM {self.qualified}")
            while batch := cur.fetchmany(FETCH_ROWS):
                yield batch

    def stored_generated(self) -> Iterator[list[tuple[Row, Row]]]:
        """(the inserted columns as `stored_batches` has them, the generated columns) per
        stored row: which ids the database gave to which content."""
        conn = self.sandbox.admin
        width = len(self.names)
        generated = ", ".join(self.writes.table.sql[n] for n in self.writes.returned)
        sql = f"SELECT {self.verifier.select_list}, {generated} FROM {self.qualified}"
        with conn.transaction(), conn.cursor(name="advisor_ids", binary=True) as cur:
            cur.execute(sql)
            while batch := cur.fetchmany(FETCH_ROWS):
                yield [(row[:width], row[width:]) for row in batch]

    def stored_checksum(self) -> Checksum:
        builder = ChecksumBuilder(self.verifier.stored_key)
        for batch in self.stored_batches():
            builder.add(batch)
        return builder.result()

    @property
    def notes(self) -> tuple[str, ...]:
        """What a reader of the results should know about this table and how it is written."""
        json_columns = [
            c.name for c in self.spec.insert_columns if c.nullable and c.base_type in _JSON_TYPES
        ]
        if not json_columns:
            return self.spec.notes
        return (
            *self.spec.notes,
            f"SQLAlchemy maps the JSON columns ({', '.join(json_columns)}) with none_as_null=True:"
            " by default it would store Python None as a JSON null, not SQL NULL",
        )

    @cached_property
    def sa_table(self) -> sa.Table:
        """The table as SQLAlchemy reflects it, for Core and pandas: its columns keyed by
        their names as SQLAlchemy makes them (`quoted_name`), as in the Table a user
        declares (`Column("id", ...)`) or reflects, which is what the snippets do."""
        return self._reflect(plain_keys=False)

    @cached_property
    def orm_table(self) -> sa.Table:
        """The table the ORM classes are mapped onto. On the standard table its columns are
        keyed by plain `str`, as the attributes of the class the snippet declares are; on a
        user's table as reflected, as the snippet's DeferredReflection maps it. A dict keyed
        by `quoted_name` is tracked by the garbage collector, and the ORM's flush makes one
        per row: with such keys orm_add_all ran at 0.92 of a hand-written declared class."""
        return self._reflect(plain_keys=True) if self.spec.source is None else self.sa_table

    def _reflect(self, *, plain_keys: bool) -> sa.Table:
        import sqlalchemy as sa

        engine = sa.create_engine(
            "postgresql+psycopg://",
            creator=self.sandbox.target.connect,
            poolclass=sa.NullPool,
        )
        try:
            with warnings.catch_warnings():
                # bpchar is handled by _adjust_reflected; other unknown types are never inserted
                # (unsupported types are refused before any run: these are generated columns).
                warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
                return sa.Table(
                    self.name,
                    sa.MetaData(schema=self.schema),
                    autoload_with=engine,
                    listeners=[
                        ("column_reflect", functools.partial(self._adjust_reflected, plain_keys))
                    ],
                )
        finally:
            engine.dispose()

    def _adjust_reflected(
        self, plain_keys: bool, inspector: Any, table: Any, column_info: dict[str, Any]
    ) -> None:
        """Reflection hook, for what SQLAlchemy would otherwise get wrong on this table.

        JSON columns (and arrays of JSON) store Python None as SQL NULL, as the other
        strategies do, instead of SQLAlchemy's default JSON null. `bpchar` (character
        without a length) is a type SQLAlchemy does not know, and the ORM cannot cast to a
        NullType; as it neither pads nor cuts, it is sent as TEXT (CHAR would mean char(1)).
        With `plain_keys`, columns are keyed by plain `str` (see `orm_table`).
        """
        import sqlalchemy as sa

        if plain_keys:
            column_info["key"] = str(column_info["name"])
        column_type = column_info["type"]
        if isinstance(column_type, sa.ARRAY):
            column_type = column_type.item_type
        if isinstance(column_type, sa.JSON):
            column_type.none_as_null = True
        by_name = {c.name: c for c in self.spec.columns}
        column = by_name.get(column_info["name"])
        if column is not None and column.base_type == "bpchar":
            column_info["type"] = sa.ARRAY(sa.Text()) if column.is_array else sa.Text()

    @cached_property
    def model(self) -> type[Any]:
        """A declarative ORM class mapped onto the table (its own registry per table)."""
        if not self.orm_table.primary_key.columns:
            # SQLAlchemy's mapper refuses such a table; say so in words a user can act on.
            raise ValueError(
                f"the ORM maps only tables with a primary key, and {self.spec.source or self.name}"
                " has none (Core and the driver strategies do not need one)"
            )
        return _mapped(self.orm_table, {})

    @cached_property
    def merge_model(self) -> type[Any]:
        """The class `Session.merge()` upserts with: identified by the upsert key, as the
        snippet maps it (merge finds rows by the mapper's primary key)."""
        return _mapped(self.orm_table, self._merge_args)

    @cached_property
    def eager_merge_model(self) -> type[Any]:
        """`merge_model` with `eager_defaults`, as the asyncio snippet maps it when it returns
        ids: what an UPDATE computes comes back with it (RETURNING), since an AsyncSession
        cannot load an expired attribute afterwards."""
        return _mapped(self.orm_table, {**self._merge_args, "eager_defaults": True})

    @property
    def _merge_args(self) -> dict[str, Any]:
        return {"primary_key": [self.orm_table.c[n] for n in self.writes.key]}


def _mapped(table: sa.Table, mapper_args: dict[str, Any]) -> type[Any]:
    """A class mapped onto `table` in a registry of its own."""
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass

    return type("BenchRow", (Base,), {"__table__": table, "__mapper_args__": mapper_args})


_JSON_TYPES = ("json", "jsonb")
_CONSTRAINT_KINDS = {
    "CheckViolation": "CHECK constraint",
    "UniqueViolation": "unique constraint",
    "ExclusionViolation": "exclusion constraint",
    "NotNullViolation": "NOT NULL constraint",
}
