"""What every strategy shares: the native-shape conversion and the connection it owns."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from advisor.bench.strategies.adapt import driver_row
from advisor.strategy_info import Layer, Shape, StrategyInfo

if TYPE_CHECKING:
    import psycopg
    import sqlalchemy as sa

    from advisor.bench.server import Target
    from advisor.bench.table import BenchTable

Row = tuple[Any, ...]


class Strategy(ABC):
    """One way to insert rows.

    The runner calls `open` (untimed), then per run `insert` with batches already converted
    by `prepare` into the strategy's native shape; only `insert`, including its commit, is
    timed, and the clock is paused while the next batch is being built.
    """

    info: ClassVar[StrategyInfo]

    def __init__(self, target: Target, table: BenchTable) -> None:
        self.target = target
        self.table = table

    def open(self) -> None:
        """Connect and warm up whatever is not part of inserting rows."""

    def prepare(self, rows: list[Row]) -> list[Any]:
        """Turn canonical tuples into this strategy's native shape (not charged)."""
        names = self.table.names
        if self.info.shape is Shape.TUPLES:
            return rows
        if self.info.shape is Shape.DICTS:
            return [dict(zip(names, row, strict=True)) for row in rows]
        model = self.table.model
        return [model(**dict(zip(names, row, strict=True))) for row in rows]

    @abstractmethod
    def insert(self, batches: Iterable[list[Any]]) -> None:
        """Insert every batch and commit: this is what the clock measures."""

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


class SQLAlchemyStrategy(Strategy):
    """A strategy on a SQLAlchemy engine that wraps one warm psycopg connection."""

    engine: sa.Engine

    def open(self) -> None:
        import sqlalchemy as sa

        self.engine = sa.create_engine(
            "postgresql+psycopg://", creator=self.target.connect, pool_size=1
        )
        _ = self.table.sa_table  # reflect (and map, for the ORM) before the clock starts
        if self.info.layer is Layer.ORM:
            _ = self.table.model
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

    def insert(self, batches: Iterable[list[Any]]) -> None:
        assert self._runner is not None, "open() first"
        self._runner.run(self.ainsert(batches))

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
    async def ainsert(self, batches: Iterable[list[Any]]) -> None:
        """Insert every batch and commit: what the clock measures."""

    @abstractmethod
    async def aclose(self) -> None:
        """Close what `aopen` opened, if it got that far."""
