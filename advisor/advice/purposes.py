"""What each strategy is for and what it costs: the words the recommendation is made of."""

from advisor.advice.recommendation import TradeOffs
from advisor.strategy_info import UNNEST_BATCH

# The seed article's purpose table, plus the strategies it does not cover.
PURPOSE = {
    "orm_add_all": "business logic, correctness, small batches",
    "orm_bulk_save_objects": "ORM objects at scale (the seed article's bulk path: legacy in "
    "SQLAlchemy 2.x, still supported)",
    "orm_bulk_insert": "rows at scale inside the ORM session (the 2.x successor of "
    "bulk_save_objects, taking dicts)",
    "core_execute": "structured data with light abstraction",
    "driver_executemany": "raw rows at high throughput",
    "driver_copy": "bulk ingestion, ETL and firehose loads",
    "driver_copy_binary": "the fastest bulk path, when the column types are exact",
    "driver_unnest": f"one INSERT per {UNNEST_BATCH:,} rows that keeps ON CONFLICT and RETURNING",
    "pandas_to_sql": "a DataFrame in one line, on the SQLAlchemy engine you already have",
    "pandas_to_sql_multi": "multi-row VALUES chunks, for servers where round trips dominate",
    "pandas_copy": "a DataFrame streamed by COPY through pandas' insertion-method hook",
    "polars_adbc": "a polars DataFrame's Arrow columns by binary COPY, no Python rows",
    "adbc_ingest": "Arrow columns by binary COPY, no Python rows: the fastest DataFrame path",
    "async_orm_add_all": "the unit of work inside an event loop (FastAPI, aiohttp)",
    "async_core_execute": "structured data with light abstraction, without blocking the loop",
    "asyncpg_executemany": "raw rows from async code, with ON CONFLICT when needed",
    "asyncpg_copy": "bulk loads from async code: binary COPY of records",
    "psycopg_async_copy": "psycopg 3's COPY from async code (also streams a CSV file)",
    "psycopg2_execute_values": "psycopg2 code bases: multi-row VALUES pages",
    "psycopg2_copy_expert": "psycopg2 code bases: COPY from a text buffer",
}

TRADE_OFFS = {
    "orm_add_all": TradeOffs(
        "highest: validation, relationships, cascades, events and defaults all run",
        "lowest: ordinary application code on your models",
        "lowest: the ORM idiom the team already reads",
    ),
    "orm_bulk_insert": TradeOffs(
        "high: same session and transaction, typed columns; but no relationship cascades, "
        "no ORM events, no per-object validation",
        "low: one session.execute(insert(Model), dicts); keep the dict keys in step with the model",
        "low: plain SQLAlchemy 2.x, once you know it bypasses the unit of work",
    ),
    "orm_bulk_save_objects": TradeOffs(
        "high: same session and transaction, typed columns; but no relationship cascades, "
        "no ORM events, no per-object validation",
        "low: one session.bulk_save_objects(objects); a legacy API in SQLAlchemy 2.x",
        "low: the ORM objects you already have",
    ),
    "core_execute": TradeOffs(
        "medium: typed columns and bound parameters; the rules are the database's "
        "constraints, not your models'",
        "low: table metadata and one execute",
        "low to medium: SQL expressions, no object identity",
    ),
    "driver_executemany": TradeOffs(
        "medium: bound parameters and psycopg's type adaptation; no model rules",
        "medium: SQL text and column order live in your code",
        "medium: raw SQL and explicit transactions",
    ),
    "driver_copy": TradeOffs(
        "medium: all or nothing per COPY and the server parses every value, but no ON "
        "CONFLICT and no ids back",
        "medium: the column list must match the rows",
        "medium: the COPY protocol, and staging tables for upserts",
    ),
    "driver_copy_binary": TradeOffs(
        "medium: all or nothing, but any type mismatch fails the whole load",
        "high: the declared types must follow every schema change",
        "high: binary formats and exact PostgreSQL types",
    ),
    "driver_unnest": TradeOffs(
        "medium: ordinary INSERT semantics (constraints, ON CONFLICT, RETURNING)",
        "medium to high: one typed array per column; the casts must follow the schema",
        "medium to high: column-wise arrays and batching",
    ),
    "pandas_to_sql": TradeOffs(
        "medium: bound parameters; but pandas decides the types (NaN for NULL in numbers, "
        "object columns), and if_exists must never be 'replace' on a real table",
        "low: one call; the DataFrame's columns must match the table's",
        "low: the pandas idiom",
    ),
    "pandas_to_sql_multi": TradeOffs(
        "medium: as to_sql",
        "low: one call, plus a chunksize that keeps parameters under 65,535",
        "low, but the speed folklore is wrong on PostgreSQL",
    ),
    "pandas_copy": TradeOffs(
        "medium: all or nothing per COPY; pandas decides the text of each value",
        "medium: a small insertion-method function to keep",
        "medium: COPY through pandas' hook",
    ),
    "polars_adbc": TradeOffs(
        "medium: Arrow types map to the table's; a mismatch fails the load",
        "low: one call on the DataFrame",
        "low to medium: ADBC connection strings and Arrow types",
    ),
    "adbc_ingest": TradeOffs(
        "medium: typed Arrow columns by binary COPY; a type mismatch fails the load",
        "medium: an ADBC connection beside your usual one",
        "medium: Arrow tables and the ADBC API",
    ),
    "async_orm_add_all": TradeOffs(
        "highest: the unit of work, as in synchronous code",
        "low: AsyncSession and await; no lazy loading after commit",
        "medium: async sessions and their pitfalls (greenlets, expired attributes)",
    ),
    "async_core_execute": TradeOffs(
        "medium: typed columns and bound parameters",
        "low: table metadata and one await conn.execute",
        "low to medium: SQL expressions in async code",
    ),
    "asyncpg_executemany": TradeOffs(
        "medium: prepared statements and asyncpg's strict types",
        "medium: SQL text with $1 placeholders in your code",
        "medium: asyncpg's API differs from DB-API",
    ),
    "asyncpg_copy": TradeOffs(
        "medium: all or nothing, exact types (binary COPY)",
        "medium: column lists and record order must match",
        "medium: asyncpg's COPY API",
    ),
    "psycopg_async_copy": TradeOffs(
        "medium: all or nothing, exact types in binary",
        "medium: set_types must follow the schema",
        "medium: psycopg's async COPY",
    ),
    "psycopg2_execute_values": TradeOffs(
        "medium: bound values, psycopg2's adaptation",
        "medium: SQL text; psycopg2 is in maintenance mode",
        "medium: an older API",
    ),
    "psycopg2_copy_expert": TradeOffs(
        "medium: all or nothing; values written as COPY text by your code",
        "high: escaping COPY text by hand",
        "medium to high: COPY text format",
    ),
}
