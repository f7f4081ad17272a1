"""What each strategy is for and what it costs: the words the recommendation is made of."""

from advisor.advice.recommendation import TradeOffs
from advisor.strategy_info import UNNEST_BATCH

# The seed article's purpose table, plus the strategies it does not cover.
PURPOSE = {
    "orm_add_all": "business logic, correctness, small batches",
    "orm_bulk_insert": "ORM objects at scale (the seed article's bulk_save_objects, which is "
    "legacy in SQLAlchemy 2.x; ORM bulk INSERT is its successor)",
    "core_execute": "structured data with light abstraction",
    "driver_executemany": "raw rows at high throughput",
    "driver_copy": "bulk ingestion, ETL and firehose loads",
    "driver_copy_binary": "the fastest bulk path, when the column types are exact",
    "driver_unnest": f"one INSERT per {UNNEST_BATCH:,} rows that keeps ON CONFLICT and RETURNING",
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
}
