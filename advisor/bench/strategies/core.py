"""SQLAlchemy Core: SQL expressions without the unit of work."""

from collections.abc import Iterable
from typing import Any

from advisor.bench.strategies.base import SQLAlchemyStrategy
from advisor.strategy_info import STRATEGIES


class CoreExecute(SQLAlchemyStrategy):
    """`conn.execute(insert(table), dicts)`: one executemany per batch.

    Use it for moving or transforming structured data (ETL steps, imports) where SQL
    composition and type handling are welcome but ORM objects are not needed.
    """

    info = STRATEGIES["core_execute"]

    def insert(self, batches: Iterable[list[Any]]) -> None:
        from sqlalchemy import insert

        stmt = insert(self.table.sa_table)
        with self.engine.begin() as conn:
            for batch in batches:
                conn.execute(stmt, batch)
