"""What each strategy is, without importing any database library.

The ids are part of the command-line and profile contract (see DESIGN.md). The TUI and the
recommendation engine read this module; the implementations live in `advisor.bench.strategies`.
"""

import difflib
from dataclasses import dataclass
from enum import StrEnum

from advisor.errors import InputError


class Layer(StrEnum):
    ORM = "orm"
    CORE = "core"
    DRIVER = "driver"


class Shape(StrEnum):
    """The shape of the rows a strategy is designed to receive."""

    OBJECTS = "objects"
    DICTS = "dicts"
    TUPLES = "tuples"


@dataclass(frozen=True)
class StrategyInfo:
    id: str
    layer: Layer
    shape: Shape
    title: str
    summary: str


STRATEGIES: dict[str, StrategyInfo] = {
    info.id: info
    for info in (
        StrategyInfo(
            "orm_add_all",
            Layer.ORM,
            Shape.OBJECTS,
            "ORM Session.add_all",
            "unit of work: validation, relationships, events; for application writes",
        ),
        StrategyInfo(
            "orm_bulk_save_objects",
            Layer.ORM,
            Shape.OBJECTS,
            "ORM bulk_save_objects",
            "legacy bulk path for ORM objects at scale; skips most unit-of-work bookkeeping",
        ),
        StrategyInfo(
            "orm_bulk_insert",
            Layer.ORM,
            Shape.DICTS,
            "ORM bulk INSERT (2.x)",
            "session.execute(insert(Model), dicts): the 2.x successor of bulk_save_objects",
        ),
        StrategyInfo(
            "core_execute",
            Layer.CORE,
            Shape.DICTS,
            "Core insert executemany",
            "conn.execute(insert(table), dicts): structured data with light abstraction",
        ),
        StrategyInfo(
            "driver_executemany",
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg executemany",
            "cursor.executemany in pipeline mode: raw rows, parameterised INSERT",
        ),
        StrategyInfo(
            "driver_copy",
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg COPY (text)",
            "COPY ... FROM STDIN with write_row: bulk ingestion, ETL, firehose loads",
        ),
        StrategyInfo(
            "driver_copy_binary",
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg COPY (binary)",
            "COPY in FORMAT BINARY with set_types: fastest path, needs exact column types",
        ),
        StrategyInfo(
            "driver_unnest",
            Layer.DRIVER,
            Shape.TUPLES,
            "INSERT ... SELECT unnest",
            "one INSERT per batch from column arrays: fast, and keeps ON CONFLICT/RETURNING",
        ),
    )
}

ALL_IDS: tuple[str, ...] = tuple(STRATEGIES)

UNNEST_BATCH = 10_000  # driver_unnest: rows per INSERT ... SELECT FROM unnest(...) statement


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """`; did you mean 'x'?` when a close match exists, else an empty string."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def parse_strategy_ids(text: str) -> list[str]:
    """Parse `all` or a comma-separated list of ids, keeping catalog order and dropping repeats."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    if not words:
        raise InputError("no strategy given; use 'all' or ids from `advisor strategies`")
    if words == ["all"]:
        return list(ALL_IDS)
    for word in words:
        if word not in STRATEGIES:
            valid = ", ".join(ALL_IDS)
            raise InputError(
                f"unknown strategy {word!r}{suggest(word, ALL_IDS)} (valid: all, {valid})"
            )
    return [sid for sid in ALL_IDS if sid in words]
