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
    DATAFRAME = "dataframe"


class Shape(StrEnum):
    """The shape of the rows a strategy is designed to receive."""

    OBJECTS = "objects"
    DICTS = "dicts"
    TUPLES = "tuples"
    PANDAS = "pandas"
    POLARS = "polars"
    ARROW = "arrow"


# How `advisor strategies` and the reports name each shape of native input.
NATIVE_INPUT = {
    Shape.OBJECTS: "ORM objects",
    Shape.DICTS: "dicts",
    Shape.TUPLES: "tuples",
    Shape.PANDAS: "pandas DataFrame",
    Shape.POLARS: "polars DataFrame",
    Shape.ARROW: "Arrow table",
}


class Group(StrEnum):
    """How `--strategies` names a family: the seed article's eight are `sync`."""

    SYNC = "sync"
    DATAFRAME = "dataframe"
    ASYNC = "async"
    PSYCOPG2 = "psycopg2"


GROUP_TITLES = {
    Group.SYNC: "the seed article's eight: SQLAlchemy and psycopg 3 (the default of `bench`)",
    Group.DATAFRAME: "DataFrames: pandas, polars and Arrow (ADBC)",
    Group.ASYNC: "asyncio: SQLAlchemy on asyncpg, asyncpg, psycopg 3 async",
    Group.PSYCOPG2: "psycopg2, for code bases still on it",
}


@dataclass(frozen=True)
class StrategyInfo:
    id: str
    group: Group
    layer: Layer
    shape: Shape
    title: str
    summary: str
    # The modules it imports beyond the base install, and the extra that brings them.
    modules: tuple[str, ...] = ()
    extra: str | None = None

    @property
    def native_input(self) -> str:
        return NATIVE_INPUT[self.shape]

    @property
    def install_hint(self) -> str:
        return f"pip install 'pg-insert-advisor[{self.extra}]'" if self.extra else ""

    def missing_module(self) -> str | None:
        """The first of its modules that cannot be imported here (without importing it)."""
        import importlib.util
        import sys

        for name in self.modules:
            if name in sys.modules:
                if sys.modules[name] is None:  # blocked, as a test does to simulate its absence
                    return name
                continue
            try:
                if importlib.util.find_spec(name) is None:
                    return name
            except (ImportError, ValueError):
                return name
        return None


_PANDAS = ("pandas",)
# SQLAlchemy's asyncio extension imports without greenlet and fails on first use.
_SA_ASYNC = ("asyncpg", "greenlet")
_ASYNCPG = ("asyncpg",)
STRATEGIES: dict[str, StrategyInfo] = {
    info.id: info
    for info in (
        StrategyInfo(
            "orm_add_all",
            Group.SYNC,
            Layer.ORM,
            Shape.OBJECTS,
            "ORM Session.add_all",
            "unit of work: validation, relationships, events; for application writes",
        ),
        StrategyInfo(
            "orm_bulk_save_objects",
            Group.SYNC,
            Layer.ORM,
            Shape.OBJECTS,
            "ORM bulk_save_objects",
            "legacy bulk path for ORM objects at scale; skips most unit-of-work bookkeeping",
        ),
        StrategyInfo(
            "orm_bulk_insert",
            Group.SYNC,
            Layer.ORM,
            Shape.DICTS,
            "ORM bulk INSERT (2.x)",
            "session.execute(insert(Model), dicts): the 2.x successor of bulk_save_objects",
        ),
        StrategyInfo(
            "core_execute",
            Group.SYNC,
            Layer.CORE,
            Shape.DICTS,
            "Core insert executemany",
            "conn.execute(insert(table), dicts): structured data with light abstraction",
        ),
        StrategyInfo(
            "driver_executemany",
            Group.SYNC,
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg executemany",
            "cursor.executemany in pipeline mode: raw rows, parameterised INSERT",
        ),
        StrategyInfo(
            "driver_copy",
            Group.SYNC,
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg COPY (text)",
            "COPY ... FROM STDIN with write_row: bulk ingestion, ETL, firehose loads",
        ),
        StrategyInfo(
            "driver_copy_binary",
            Group.SYNC,
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg COPY (binary)",
            "COPY in FORMAT BINARY with set_types: fastest path, needs exact column types",
        ),
        StrategyInfo(
            "driver_unnest",
            Group.SYNC,
            Layer.DRIVER,
            Shape.TUPLES,
            "INSERT ... SELECT unnest",
            "one INSERT per batch from column arrays: fast, and keeps ON CONFLICT/RETURNING",
        ),
        StrategyInfo(
            "pandas_to_sql",
            Group.DATAFRAME,
            Layer.DATAFRAME,
            Shape.PANDAS,
            "pandas to_sql",
            "DataFrame.to_sql(method=None) on a SQLAlchemy engine: the one-line default",
            _PANDAS,
            "dataframes",
        ),
        StrategyInfo(
            "pandas_to_sql_multi",
            Group.DATAFRAME,
            Layer.DATAFRAME,
            Shape.PANDAS,
            'pandas to_sql(method="multi")',
            "multi-row VALUES per chunk: often advised as faster, usually slower on PostgreSQL",
            _PANDAS,
            "dataframes",
        ),
        StrategyInfo(
            "pandas_copy",
            Group.DATAFRAME,
            Layer.DATAFRAME,
            Shape.PANDAS,
            "pandas to_sql + COPY",
            "to_sql with a COPY insertion method (the hook pandas documents): pandas' fast path",
            _PANDAS,
            "dataframes",
        ),
        StrategyInfo(
            "polars_adbc",
            Group.DATAFRAME,
            Layer.DATAFRAME,
            Shape.POLARS,
            "polars write_database (ADBC)",
            'DataFrame.write_database(engine="adbc"): Arrow columns straight to COPY',
            ("polars", "pyarrow", "adbc_driver_postgresql"),
            "dataframes",
        ),
        StrategyInfo(
            "adbc_ingest",
            Group.DATAFRAME,
            Layer.DATAFRAME,
            Shape.ARROW,
            "ADBC adbc_ingest",
            "adbc_driver_postgresql cursor.adbc_ingest: an Arrow table by binary COPY",
            ("pyarrow", "adbc_driver_postgresql"),
            "dataframes",
        ),
        StrategyInfo(
            "async_orm_add_all",
            Group.ASYNC,
            Layer.ORM,
            Shape.OBJECTS,
            "async ORM add_all",
            "AsyncSession.add_all + commit on asyncpg: the unit of work inside an event loop",
            _SA_ASYNC,
            "async",
        ),
        StrategyInfo(
            "async_core_execute",
            Group.ASYNC,
            Layer.CORE,
            Shape.DICTS,
            "async Core insert",
            "AsyncConnection.execute(insert(table), dicts) on asyncpg",
            _SA_ASYNC,
            "async",
        ),
        StrategyInfo(
            "asyncpg_executemany",
            Group.ASYNC,
            Layer.DRIVER,
            Shape.TUPLES,
            "asyncpg executemany",
            "Connection.executemany: a prepared INSERT per row, pipelined",
            _ASYNCPG,
            "async",
        ),
        StrategyInfo(
            "asyncpg_copy",
            Group.ASYNC,
            Layer.DRIVER,
            Shape.TUPLES,
            "asyncpg copy_records_to_table",
            "binary COPY of records from an event loop",
            _ASYNCPG,
            "async",
        ),
        StrategyInfo(
            "psycopg_async_copy",
            Group.ASYNC,
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg async COPY (binary)",
            "AsyncConnection cursor.copy in FORMAT BINARY: psycopg 3's COPY without blocking",
        ),
        StrategyInfo(
            "psycopg2_execute_values",
            Group.PSYCOPG2,
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg2 execute_values",
            "psycopg2.extras.execute_values: multi-row VALUES pages, psycopg2's fast INSERT",
            ("psycopg2",),
            "psycopg2",
        ),
        StrategyInfo(
            "psycopg2_copy_expert",
            Group.PSYCOPG2,
            Layer.DRIVER,
            Shape.TUPLES,
            "psycopg2 copy_expert",
            "cursor.copy_expert(COPY ... FROM STDIN) from a text buffer: psycopg2's bulk path",
            ("psycopg2",),
            "psycopg2",
        ),
    )
}

ALL_IDS: tuple[str, ...] = tuple(STRATEGIES)
GROUPS: dict[str, tuple[str, ...]] = {
    str(g): tuple(s.id for s in STRATEGIES.values() if s.group is g) for g in Group
}
SYNC_IDS = GROUPS[Group.SYNC]  # the seed article's eight: `advisor bench`'s default

UNNEST_BATCH = 10_000  # driver_unnest: rows per INSERT ... SELECT FROM unnest(...) statement
MULTI_CHUNK = 1_000  # pandas_to_sql_multi: rows per multi-row VALUES statement (chunksize)
PSYCOPG2_PAGE = 100  # psycopg2_execute_values: its default page_size, rows per statement


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """`; did you mean 'x'?` when a close match exists, else an empty string."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def parse_strategy_ids(text: str) -> list[str]:
    """Ids and group names (`sync`, `dataframe`, `async`, `psycopg2`, `all`), comma-separated,
    in catalog order without repeats."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    names = ("all", *GROUPS)
    if not words:
        raise InputError(
            f"no strategy given; use ids from `advisor strategies` or a group ({', '.join(names)})"
        )
    chosen: set[str] = set()
    for word in words:
        if word == "all":
            chosen.update(ALL_IDS)
        elif word in GROUPS:
            chosen.update(GROUPS[word])
        elif word in STRATEGIES:
            chosen.add(word)
        else:
            raise InputError(
                f"unknown strategy {word!r}{suggest(word, (*names, *ALL_IDS))} (groups: "
                f"{', '.join(names)}; ids: see `advisor strategies`)"
            )
    return [sid for sid in ALL_IDS if sid in chosen]
