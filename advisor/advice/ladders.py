"""The decision's tables: each layer's ladder, where to look next, and what "pays" means."""

from __future__ import annotations

from advisor.advice.properties import soft, usable
from advisor.strategy_info import STRATEGIES, Group, Layer
from advisor.workload import InputShape, Workload

BULK_SAVING_S = 1.0  # a faster strategy of the same layer must save this much per run...
BULK_SAVING_SHARE = 0.2  # ...and this share of the run
LAYER_SAVING_S = 10.0  # a lower layer must save this much per run...
LAYER_SAVING_SHARE = 0.5  # ...and at least halve the run

# Clearest first, per layer; `ladder` keeps the usable ones. The async forms apply inside an
# event loop; a DataFrame path has no async form.
SYNC_LADDERS: dict[Layer, tuple[str, ...]] = {
    Layer.ORM: ("orm_add_all", "orm_bulk_insert"),
    Layer.CORE: ("core_execute",),
    Layer.DRIVER: ("driver_executemany", "driver_copy", "driver_copy_binary"),
    Layer.DATAFRAME: ("pandas_to_sql", "pandas_copy", "adbc_ingest"),
}
ASYNC_LADDERS: dict[Layer, tuple[str, ...]] = {
    Layer.ORM: ("async_orm_add_all",),
    Layer.CORE: ("async_core_execute",),
    Layer.DRIVER: ("asyncpg_executemany", "asyncpg_copy"),
    Layer.DATAFRAME: SYNC_LADDERS[Layer.DATAFRAME],
}
# ORM objects at scale: the seed article's bulk_save_objects takes them as they are (its 2.x
# successor, orm_bulk_insert, takes dicts).
OBJECTS_ORM_LADDER = ("orm_add_all", "orm_bulk_save_objects")
# The sibling a rung gives way to when it cannot express ON CONFLICT or RETURNING.
KEEPS_SEMANTICS = {
    "orm_add_all": "orm_bulk_insert",
    "orm_bulk_save_objects": "orm_bulk_insert",
    "driver_copy": "driver_unnest",
    "driver_copy_binary": "driver_unnest",
}
CSV_LADDERS = {False: ("driver_copy",), True: ("psycopg_async_copy",)}
HOME = {
    InputShape.OBJECTS: Layer.ORM,
    InputShape.DICTS: Layer.CORE,
    InputShape.TUPLES: Layer.DRIVER,
    InputShape.CSV: Layer.DRIVER,
    InputShape.DATAFRAME: Layer.DATAFRAME,
}
# The next layer to look at when a layer has nothing usable, and the lower layers a
# recommendation may leave for.
FALLBACK = {
    Layer.ORM: Layer.CORE,
    Layer.CORE: Layer.DRIVER,
    Layer.DATAFRAME: Layer.DRIVER,
    Layer.DRIVER: Layer.CORE,
}
LOWER = {
    Layer.ORM: (Layer.CORE, Layer.DRIVER),
    Layer.CORE: (Layer.DRIVER,),
    Layer.DATAFRAME: (),
    Layer.DRIVER: (),
}
# Clearest first, every strategy a recommendation may pick: where a missed deadline looks.
CLARITY = (
    "orm_add_all",
    "async_orm_add_all",
    "orm_bulk_save_objects",
    "orm_bulk_insert",
    "core_execute",
    "async_core_execute",
    "pandas_to_sql",
    "driver_executemany",
    "asyncpg_executemany",
    "pandas_copy",
    "driver_copy",
    "driver_unnest",
    "psycopg_async_copy",
    "adbc_ingest",
    "driver_copy_binary",
    "asyncpg_copy",
)


def worth(before_s: float, after_s: float, min_s: float, min_share: float) -> bool:
    """Whether going from `before_s` to `after_s` per run saves enough to pay for itself."""
    saved = before_s - after_s
    return saved >= min_s and saved >= min_share * before_s


def candidate(sid: str, w: Workload) -> bool:
    """Whether a recommendation may pick `sid`: usable, and of the workload's family (async
    inside an event loop; a DataFrame path only for a DataFrame, which has no async form;
    never psycopg2, whose paths are shown as alternatives only)."""
    info = STRATEGIES[sid]
    if not usable(sid, w) or info.group is Group.PSYCOPG2:
        return False
    if info.layer is Layer.DATAFRAME:
        return w.shape is InputShape.DATAFRAME
    return (info.group is Group.ASYNC) == w.asyncio


def fits(sid: str, w: Workload) -> bool:
    """Whether the answers allow `sid` as the rules read them: a candidate that keeps what
    correctness demands (high: the unit of work, unless ON CONFLICT needs the bulk path;
    binary COPY's exact types only when correctness is low)."""
    if not candidate(sid, w):
        return False
    given_up = soft(sid, w).keys()
    return not ("exact_types" in given_up or ("bypasses_uow" in given_up and not w.upsert))
