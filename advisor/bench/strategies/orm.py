"""SQLAlchemy ORM strategies: the safe end of the spectrum."""

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from advisor.bench.strategies.base import RETURNING, UPSERT, Returned, SQLAlchemyStrategy
from advisor.strategy_info import STRATEGIES


class OrmAddAll(SQLAlchemyStrategy):
    """`Session.add_all` + commit: the unit of work.

    Use it for application writes where validation, relationships, events and defaults
    matter more than speed, and batches are small (hundreds to a few thousand objects).
    Upserts go through `Session.merge()`, the ORM's own way: a SELECT per row first.
    """

    info = STRATEGIES["orm_add_all"]
    forms = frozenset({UPSERT, RETURNING})
    ids_in_order = True  # each object gets its own ids
    consumes_input = True

    @property
    def model(self) -> type[Any]:
        return self.table.merge_model if self.table.writes.upserting else self.table.model

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        from sqlalchemy.orm import Session

        w = self.table.writes
        ids: Returned | None = [] if w.returning else None
        with Session(self.engine) as session:
            for batch in batches:
                session.expunge_all()  # the previous batch is flushed; keeps memory bounded
                if w.upserting:
                    with session.no_autoflush:  # as the snippet: flushed together below
                        objs = [session.merge(obj) for obj in batch]
                else:
                    session.add_all(batch)
                    objs = batch
                session.flush()
                if ids is not None:  # read before the next expunge_all detaches them
                    ids += [self.generated(getattr(o, n) for n in w.returned) for o in objs]
            session.commit()
        return ids


class OrmBulkSaveObjects(SQLAlchemyStrategy):
    """Legacy `Session.bulk_save_objects`: ORM objects at scale, the seed article's ORM bulk path.

    Use it only in code that already has it; in SQLAlchemy 2.x `orm_bulk_insert` is the
    supported successor. It skips relationship cascades and most events.
    """

    info = STRATEGIES["orm_bulk_save_objects"]
    no_form: ClassVar[Mapping[str, str]] = {
        UPSERT: "bulk_save_objects has no ON CONFLICT: it INSERTs or UPDATEs by what the objects'"
        " state says, never asking the database which rows exist (orm_bulk_insert upserts)",
        RETURNING: "bulk_save_objects(return_defaults=True) fetches primary keys only, not"
        " identity or generated columns beyond them; orm_bulk_insert returns them",
    }

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
    forms = frozenset({UPSERT, RETURNING})
    ids_in_order = True  # sort_by_parameter_order=True, or paired with the rows by key

    def insert(self, batches: Iterable[list[Any]]) -> Returned | None:
        from sqlalchemy.orm import Session

        model = self.model
        stmt = self.statement(model, model)
        ids: Returned | None = [] if self.table.writes.returning else None
        with Session(self.engine) as session:
            for batch in batches:
                if ids is None:
                    session.execute(stmt, batch)
                else:
                    ids += self.returned_ids(session.execute(stmt, batch), batch)
            session.commit()
        return ids
