"""What a strategy can and cannot do for a workload, as named properties.

Hard limits decide whether a strategy is usable at all (no ON CONFLICT, no ids back, cannot
read CSV, blocks the event loop). Soft properties are what an alternative gives up or costs compared
with the pick; an alternative is never turned down for a property the pick has too, which is
why both are sets.
"""

from __future__ import annotations

from advisor.advice.conversions import READS_CSV, an_input, conversion
from advisor.strategy_info import STRATEGIES, Group, Layer
from advisor.workload import Correctness, InputShape, Workload

LEGACY = {"orm_bulk_save_objects": "orm_bulk_insert"}  # legacy id -> its successor
UNIT_OF_WORK = frozenset({"orm_add_all", "async_orm_add_all"})
BINARY = frozenset({"driver_copy_binary", "asyncpg_copy", "psycopg_async_copy"})
# COPY-like paths: no ON CONFLICT and no ids back, unless a CSV goes through a staging table.
COPY_LIKE = frozenset(
    {
        "driver_copy",
        "driver_copy_binary",
        "pandas_copy",
        "polars_adbc",
        "adbc_ingest",
        "asyncpg_copy",
        "psycopg_async_copy",
        "psycopg2_copy_expert",
    }
)
NO_UPSERT = COPY_LIKE | {
    "orm_add_all",  # session.merge() per object: a SELECT per row, and it races
    "orm_bulk_save_objects",
    "async_orm_add_all",
    "pandas_to_sql",
    "pandas_to_sql_multi",
}
NO_RETURNING = COPY_LIKE | {
    "orm_bulk_save_objects",  # return_defaults=True gives them back, one INSERT per row
    "pandas_to_sql",
    "pandas_to_sql_multi",
    "asyncpg_executemany",
}

# Why a strategy cannot serve the workload, by hard property.
HARD = {
    "no_upsert": "cannot express ON CONFLICT",
    "no_returning": "returns no ids",
    "no_csv": "cannot read CSV: every field would be parsed and typed in Python first",
    "blocks_loop": "a blocking call: inside the event loop it stalls every other request",
}


def hard_text(limit: str, sid: str) -> str:
    """A hard limit in words; COPY-like paths can still get there through a staging table."""
    if limit in ("no_upsert", "no_returning") and sid in COPY_LIKE:
        what = "has no ON CONFLICT" if limit == "no_upsert" else "returns no ids"
        return f"{what}: only through a staging table and INSERT ... SELECT"
    return HARD[limit]


def _staged_csv(sid: str, w: Workload) -> bool:
    """A CSV file COPYed into a staging table keeps ON CONFLICT and RETURNING."""
    return w.shape is InputShape.CSV and sid in READS_CSV


def hard_limits(sid: str, w: Workload) -> list[str]:
    """The hard properties that make `sid` unusable for `w` (empty: usable)."""
    info = STRATEGIES[sid]
    out = []
    if w.upsert and sid in NO_UPSERT and not _staged_csv(sid, w):
        out.append("no_upsert")
    if w.returning and sid in NO_RETURNING and not _staged_csv(sid, w):
        out.append("no_returning")
    if w.shape is InputShape.CSV and sid in BINARY - READS_CSV:
        out.append("no_csv")
    if w.asyncio and info.group is not Group.ASYNC and info.layer is not Layer.DATAFRAME:
        out.append("blocks_loop")
    return out


def usable(sid: str, w: Workload) -> bool:
    """Whether `sid` can do what the answers ask."""
    return not hard_limits(sid, w)


def soft(sid: str, w: Workload) -> dict[str, str]:
    """What `sid` costs or gives up for `w`, by property key, in words."""
    info = STRATEGIES[sid]
    out: dict[str, str] = {}
    if w.correctness is Correctness.HIGH and sid not in UNIT_OF_WORK:
        out["bypasses_uow"] = "skips the unit of work (validation, relationships, events)"
    convert = conversion(w.shape, sid)
    if convert is not None:
        out[f"converts_to_{convert.target}"] = (
            f"needs {an_input(convert.target)}: {convert.describe()}"
        )
    if sid in BINARY and w.correctness is not Correctness.LOW and w.shape is not InputShape.CSV:
        out["exact_types"] = "binary COPY needs exact column types: for when you push limits"
    if info.group is Group.ASYNC and not w.asyncio:
        out["needs_loop"] = "an asyncio API: synchronous code would need asyncio.run around it"
    if w.asyncio and info.layer is Layer.DATAFRAME:
        out["off_loop"] = "blocking: runs off the event loop (asyncio.to_thread)"
    if info.group is Group.PSYCOPG2:
        out["psycopg2"] = (
            "psycopg2 is in maintenance: for code already on it (psycopg 3 succeeds it)"
        )
    if sid == "pandas_to_sql_multi":
        out["multi_values"] = (
            "multi-row VALUES per chunk: every chunk is parsed and planned anew by the server"
        )
    if sid in LEGACY:
        out["legacy"] = f"legacy in SQLAlchemy 2.x ({LEGACY[sid]}, taking dicts, succeeds it)"
    if sid == "polars_adbc":
        out["polars"] = "takes a polars DataFrame (pl.from_pandas is nearly free)"
    return out
