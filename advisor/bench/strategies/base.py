"""What every strategy shares: the native-shape conversion, the connection it owns, and the
forms it has for upserts and returned ids."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.bench.strategies.adapt import driver_row
from advisor.results import Semantics
from advisor.strategy_info import Layer, Shape, StrategyInfo

if TYPE_CHECKING:
    import psycopg
    import sqlalchemy as sa

    from advisor.bench.server import Target
    from advisor.bench.table import BenchTable

Row = tuple[Any, ...]
# What the database generated for each input row: the value of its one generated column, or a
# tuple of them when there are several (as the snippets return them).
Returned = list[Any]
UPSERT, RETURNING = "upsert", "returning"
_DEFAULT_REASONS = {
    UPSERT: "no upsert form is implemented for this strategy",
    RETURNING: "no form that returns the generated ids is implemented for this strategy",
}


class Strategy(ABC):
    """One way to insert rows.

    The runner calls `open` (untimed), then per run `insert` with batches already converted
    by `prepare` into the strategy's native shape; only `insert`, including its commit, is
    timed, and the clock is paused while the next batch is being built.

    Upserts and returned ids: a strategy runs them only in the forms it declares in `forms`,
    and `insert` then follows `self.table.writes`. Without a declared form the strategy is
    shown as n/a, so that it is never timed doing a plain insert in place of an upsert.
    """

    info: ClassVar[StrategyInfo]
    forms: ClassVar[frozenset[str]] = frozenset()  # UPSERT, RETURNING: the forms it has
    no_form: ClassVar[Mapping[str, str]] = {}  # why it has none, where there is more to say
    ids_in_order: ClassVar[bool] = False  # the API returns ids in input order (else a set)
    # The insert changes its input (ORM objects become persistent): each run gets a new one.
    consumes_input: ClassVar[bool] = False

    @classmethod
    def unsupported(cls, semantics: Semantics) -> str | None:
        """Why this strategy cannot run `semantics` (n/a), or None when it can."""
        for form, wanted in ((UPSERT, semantics.upsert), (RETURNING, semantics.returning)):
            if wanted and form not in cls.forms:
                return cls.no_form.get(form, _DEFAULT_REASONS[form])
        return None

    def __init__(self, target: Target, table: BenchTable) -> None:
        self.target = target
        self.table = table

    def open(self) -> None:
        """Connect and warm up whatever is not part of inserting rows."""

    @property
    def model(self) -> type[Any]:
        """The ORM class this strategy's objects are built from."""
        return self.table.model

    def prepare(self, rows: list[Row]) -> list[Any]:
        """Turn canonical tuples into this strategy's native shape (not charged)."""
        names = self.table.names
        if self.info.shape is Shape.TUPLES:
            return rows
        if self.info.shape is Shape.DICTS:
            return [dict(zip(names, row, strict=True)) for row in rows]
        model = self.model
        return [model(**dict(zip(names, row, strict=True))) for row in rows]

    def generated(self, row: Any) -> Any:
        """One row's generated values as the snippets return them: the value of the one
        generated column, or a tuple of several."""
        values = tuple(row)
        return values[0] if len(values) == 1 else values

    @abstractmethod
    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        """Insert every batch and commit: this is what the clock measures. With returned
        ids asked for, they are the result, one entry per input row."""

    def close(self) -> None:
        """Release connections; must be safe after a failure and when called twice."""


class DriverStrategy(Strategy):
    """A strategy on a bare psycopg connection."""

    conn: psycopg.Connection[Any]

    def __init__(self, target: Target, table: BenchTable) -> None:
        super().__init__(target, table)
        self.convert = driver_row(table.spec)  # None for plain types: rows go as they are

    def open(self) -> None:
        self.conn = self.target.connect()

    def prepare(self, rows: list[Row]) -> list[Any]:
        return rows if self.convert is None else list(map(self.convert, rows))

    def close(self) -> None:
        if hasattr(self, "conn"):
            self.conn.close()


class SQLAlchemyStatements(Strategy):
    """The statement a SQLAlchemy strategy runs, sync or async, as its snippet builds it."""

    def statement(self, target: Any, columns: Any) -> Any:
        """`insert(target)` built as the snippet builds it: PostgreSQL's insert with ON
        CONFLICT DO UPDATE for upserts; the generated columns RETURNING in input order, taken
        from `columns` (the mapped class, or the Table's `.c`)."""
        import sqlalchemy as sa
        from sqlalchemy.dialects import postgresql

        w = self.table.writes
        stmt: Any = sa.insert(target)
        if w.upserting:
            stmt = postgresql.insert(target)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(w.key), set_={c: stmt.excluded[c] for c in w.update_columns}
            )
        if w.returning and w.upserting:
            # sort_by_parameter_order sorts the rows by the ids generated, and a row the upsert
            # updated keeps its old id: the key comes back too, to pair ids with rows.
            stmt = stmt.returning(*(getattr(columns, n) for n in (*w.key, *w.returned)))
        elif w.returning:
            returned = [getattr(columns, n) for n in w.returned]
            stmt = stmt.returning(*returned, sort_by_parameter_order=True)
        return stmt

    def returned_ids(self, result: Iterable[Any], batch: list[dict[str, Any]]) -> Returned:
        """The generated values of a `statement` run on `batch`, in input order."""
        w = self.table.writes
        if not w.upserting:
            return list(map(self.generated, result))
        k = len(w.key)
        by_key = {tuple(row[:k]): self.generated(row[k:]) for row in result}
        return [by_key[tuple(row[n] for n in w.key)] for row in batch]


class SQLAlchemyStrategy(SQLAlchemyStatements):
    """A strategy on a SQLAlchemy engine that wraps one warm psycopg connection."""

    engine: sa.Engine

    def open(self) -> None:
        import sqlalchemy as sa

        self.engine = sa.create_engine(
            "postgresql+psycopg://", creator=self.target.connect, pool_size=1
        )
        # Reflect (and map, for the ORM) before the clock starts.
        _ = self.model if self.info.layer is Layer.ORM else self.table.sa_table
        with self.engine.connect() as conn:  # dialect initialisation happens on first connect
            conn.exec_driver_sql("SELECT 1")

    def close(self) -> None:
        if hasattr(self, "engine"):
            self.engine.dispose()


class AsyncStrategy(Strategy):
    """A strategy whose library is asyncio-only, driven from the synchronous runner.

    Each one owns an `asyncio.Runner`: its event loop is created in `open` (untimed) and
    kept, so the connections made there stay bound to it, and the timed `insert` pays only
    `Runner.run` starting a task on a loop that already exists (tens of microseconds), never
    loop creation. The runner's batch generator, which pauses the clock while a batch is
    built, is iterated inside the coroutine: nothing else runs on this loop. The benchmark
    runs in the CLI's main thread or the app's worker thread, never inside a running loop.
    """

    _runner: asyncio.Runner | None = None

    def open(self) -> None:
        self._runner = asyncio.Runner()
        self._runner.run(self.aopen())

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        assert self._runner is not None, "open() first"
        return self._runner.run(self.ainsert(batches))

    def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        try:
            runner.run(self.aclose())
        finally:
            runner.close()

    @abstractmethod
    async def aopen(self) -> None:
        """Connect (inside the strategy's event loop)."""

    @abstractmethod
    async def ainsert(self, batches: Iterable[list[Any]]) -> Returned | None:
        """Insert every batch and commit: what the clock measures (and the ids, as `insert`
        returns them)."""

    @abstractmethod
    async def aclose(self) -> None:
        """Close what `aopen` opened, if it got that far."""
