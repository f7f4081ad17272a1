"""SQLAlchemy ORM strategies: the safe end of the spectrum."""

from collections.abc import Iterable
from typing import Any

from advisor.bench.strategies.base import SQLAlchemyStrategy
from advisor.strategy_info import STRATEGIES


class OrmAddAll(SQLAlchemyStrategy):
    """`Session.add_all` + commit: the unit of work.

    Use it for application writes where validation, relationships, events and defaults
    matter more than speed, and batches are small (hundreds to a few thousand objects).
    """

    info = STRATEGIES["orm_add_all"]

    def insert(self, batches: Iterable[list[Any]]) -> None:
        from sqlalchemy.orm import Session

        with Session(self.engine) as session:
            for batch in batches:
                session.expunge_all()  # the previous batch is flushed; keeps memory bounded
                session.add_all(batch)
                session.flush()
            session.commit()


class OrmBulkSaveObjects(SQLAlchemyStrategy):
    """Legacy `Session.bulk_save_objects`: ORM objects at scale, the seed article's ORM bulk path.

    Use it only in code that already has it; in SQLAlchemy 2.x `orm_bulk_insert` is the
    supported successor. It skips relationship cascades and most events.
    """

    info = STRATEGIES["orm_bulk_save_objects"]

    def insert(self, batches: Iterable[list[Any]]) -> None:
        from sqlalchemy.orm import Session

        with Session(self.engine) as session:
            for batch in batches:
                session.bulk_save_objects(batch)
            session.commit()


class OrmBulkInsert(SQLAlchemyStrategy):
    """SQLAlchemy 2.x ORM bulk INSERT: `session.execute(insert(Model), dicts)`.

    Use it when the rest of the code is ORM and the rows are plain dicts: it batches like
    Core (insertmanyvalues) while staying inside the Session's transaction.
    """

    info = STRATEGIES["orm_bulk_insert"]

    def insert(self, batches: Iterable[list[Any]]) -> None:
        from sqlalchemy import insert
        from sqlalchemy.orm import Session

        stmt = insert(self.table.model)
        with Session(self.engine) as session:
            for batch in batches:
                session.execute(stmt, batch)
            session.commit()
