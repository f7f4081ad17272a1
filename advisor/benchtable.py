"""The sandbox table a benchmark writes to, with the views strategies need of it."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from advisor.server import Sandbox, quote_ident
from advisor.tables import TableSpec
from advisor.verify import Checksum, ChecksumBuilder, verifier_for

if TYPE_CHECKING:
    import sqlalchemy as sa

Row = tuple[Any, ...]
FETCH_ROWS = 50_000


class BenchTable:
    """A table created from `spec` inside the sandbox schema."""

    def __init__(self, sandbox: Sandbox, spec: TableSpec) -> None:
        self.sandbox = sandbox
        self.spec = spec
        self.schema = sandbox.schema
        self.name = spec.name
        self.qualified = sandbox.qualified(spec.name)
        self.names = spec.insert_names
        self.column_list = ", ".join(quote_ident(n) for n in self.names)
        self.verifier = verifier_for(spec, quote_ident)

    def create(self) -> None:
        self.sandbox.admin.execute(self.spec.create_sql.format(table=self.qualified))

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

    def reset(self) -> None:
        """Empty the table and flush dirty pages, so every run starts from the same state."""
        self.sandbox.admin.execute(f"TRUNCATE {self.qualified} RESTART IDENTITY")
        if self.can_checkpoint:
            self.sandbox.admin.execute("CHECKPOINT")

    def stored_batches(self, *, for_checksum: bool = False) -> Iterator[list[Row]]:
        """The stored rows of the inserted columns, streamed in binary through a server cursor.

        With `for_checksum`, columns come in the verifier's exact form (floats as bits).
        """
        columns = self.verifier.select_list if for_checksum else self.column_list
        conn = self.sandbox.admin
        with conn.transaction(), conn.cursor(name="advisor_verify", binary=True) as cur:
            cur.execute(f"SELECT {columns} FROM {self.qualified}")
            while batch := cur.fetchmany(FETCH_ROWS):
                yield batch

    def stored_checksum(self) -> Checksum:
        builder = ChecksumBuilder(self.verifier.stored_key)
        for batch in self.stored_batches(for_checksum=True):
            builder.add(batch)
        return builder.result()

    @cached_property
    def sa_table(self) -> sa.Table:
        """The table as SQLAlchemy reflects it (shared by every SQLAlchemy strategy)."""
        import sqlalchemy as sa

        engine = sa.create_engine(
            "postgresql+psycopg://",
            creator=self.sandbox.target.connect,
            poolclass=sa.NullPool,
        )
        try:
            return sa.Table(self.name, sa.MetaData(schema=self.schema), autoload_with=engine)
        finally:
            engine.dispose()

    @cached_property
    def model(self) -> type[Any]:
        """A declarative ORM class mapped onto the table (its own registry per table)."""
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase):
            pass

        return type("BenchRow", (Base,), {"__table__": self.sa_table})
