"""SQLAlchemy Core: SQL expressions without the unit of work."""

from collections.abc import Iterable
from typing import Any

from advisor.bench.strategies.base import RETURNING, UPSERT, Returned, SQLAlchemyStrategy
from advisor.strategy_info import STRATEGIES


class CoreExecute(SQLAlchemyStrategy):
    """`conn.execute(insert(table), dicts)`: one executemany per batch.

    Use it for moving or transforming structured data (ETL steps, imports) where SQL
    composition and type handling are welcome but ORM objects are not needed.
    """

    info = STRATEGIES["core_execute"]
    forms = frozenset({UPSERT, RETURNING})
    ids_in_order = True  # sort_by_parameter_order=True, or paired with the rows by key

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        table = self.table.sa_table
        stmt = self.statement(table, table.c)
        ids: Returned | None = [] if self.table.writes.returning else None
        with self.engine.begin() as conn:
            for batch in batches:
                if ids is None:
                    conn.execute(stmt, batch)
                else:
                    ids += self.returned_ids(conn.execute(stmt, batch), batch)
        return ids
