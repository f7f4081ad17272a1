"""Snippet builders for asyncio: SQLAlchemy's AsyncSession and AsyncConnection on asyncpg,
asyncpg's executemany and COPY, psycopg 3's async COPY. Each defines `async def`: awaited
inside the event loop, it never blocks it."""

from __future__ import annotations

from advisor.snippets.code import JSON_TYPES, Code, comment, py_str
from advisor.snippets.psycopg import copy_csv, copy_rows
from advisor.snippets.sql import insert_lines, numbered_values_lines
from advisor.snippets.sqlalchemy import (
    MERGE_COMMENT,
    core_table,
    objects,
    returned_attributes,
    returned_ids,
    upsert_statement,
)
from advisor.workload import InputShape

_READ_IDS = [
    "        await session.flush()  # INSERT ... RETURNING fills in the ids",
    "        # read them now: after the commit they expire, and reading an",
    "        # expired attribute would need a query the async session cannot make",
]


def async_orm_add_all(code: Code) -> str:
    if code.upsert:
        return _async_orm_merge(code)
    fn = [
        *objects(code, is_async=True),
        "    async with AsyncSession(engine) as session:",
        "        session.add_all(objs)",
    ]
    if code.w.returning:
        fn += [
            *_READ_IDS,
            f"        ids = [{returned_attributes(code)} for obj in objs]",
            "        await session.commit()",
            "    return ids",
        ]
    else:
        fn.append("        await session.commit()")
    return code.render(fn)


def _async_orm_merge(code: Code) -> str:
    """The unit of work's upsert, awaited: AsyncSession.merge() per object."""
    fn = [
        *objects(code, is_async=True, merge=True),
        "    async with AsyncSession(engine) as session:",
        *comment(MERGE_COMMENT, "        "),
        "        with session.no_autoflush:",
    ]
    if code.w.returning:
        fn += [
            "            merged = [await session.merge(obj) for obj in objs]",
            *_READ_IDS,
            f"        ids = [{returned_attributes(code)} for obj in merged]",
            "        await session.commit()",
            "    return ids",
        ]
    else:
        fn += [
            "            for obj in objs:",
            "                await session.merge(obj)",
            "        await session.commit()",
        ]
    return code.render(fn)


def async_core_execute(code: Code) -> str:
    code.need("sqlalchemy.ext.asyncio", "AsyncEngine")
    get_table = core_table(code, is_async=True)
    var = code.table.variable
    code.ids_from_rows = code.w.shape is InputShape.DICTS
    code.shape_helpers()
    fn = [code.signature("engine: AsyncEngine", is_async=True), *code.as_dicts()]
    fn += ["    async with engine.begin() as conn:  # commits at the end", *get_table]
    fn += upsert_statement(code, var, "        ")
    if code.w.returning:
        fn += returned_ids(code, f"{var}.c", "conn", "        ", is_async=True)
        fn.append("    return ids")
    else:
        fn.append("        await conn.execute(stmt, rows)")
    return code.render(fn)


_JSONB_CODEC = """    await conn.set_type_codec(
        "jsonb",  # binary jsonb: a version byte (1), then the text
        encoder=lambda value: b"\\x01" + json.dumps(value).encode(),
        decoder=lambda data: json.loads(data[1:]),
        schema="pg_catalog",
        format="binary",
    )"""
_JSON_CODEC = """    await conn.set_type_codec(
        "json",
        encoder=lambda value: json.dumps(value).encode(),
        decoder=json.loads,
        schema="pg_catalog",
        format="binary",
    )"""


def _json_codecs(code: Code) -> list[str]:
    """asyncpg takes JSON as text only: codecs that take Python values. In binary, because a
    text codec replaces asyncpg's binary one, which its COPY needs."""
    kinds = {c.base_type for c in code.columns} & set(JSON_TYPES)
    if not kinds:
        return []
    code.need("json")
    codecs = [_JSONB_CODEC] if "jsonb" in kinds else []
    codecs += [_JSON_CODEC] if "json" in kinds else []
    code.blocks.append(
        "\n".join(
            [
                "async def register_json(conn: asyncpg.Connection) -> None:",
                '    """Let asyncpg take dicts and lists for JSON columns (and return them)."""',
                *codecs,
            ]
        )
    )
    return ["    await register_json(conn)  # once per connection is enough (pool: init=)"]


def asyncpg_executemany(code: Code) -> str:
    code.need("asyncpg")
    code.sql_constant("SQL", insert_lines(code.writes, numbered_values_lines(code.writes)))
    fn = [code.signature("conn: asyncpg.Connection", is_async=True), *code.as_tuples()]
    fn += _json_codecs(code)
    fn += [
        "    async with conn.transaction():  # all rows or none",
        "        await conn.executemany(SQL, rows)  # one prepared statement, pipelined",
    ]
    return code.render(fn)


def asyncpg_copy(code: Code) -> str:
    code.need("asyncpg")
    code.columns_constant()
    reflection = code.table.reflection
    where = (
        [py_str(code.table.name)]
        if reflection is None
        else [py_str(reflection.table), f"schema_name={py_str(reflection.schema)}"]
    )
    fn = [code.signature("conn: asyncpg.Connection", is_async=True), *code.as_tuples()]
    fn += _json_codecs(code)
    fn += [
        "    # Binary COPY, types read from the table; asyncpg quotes the names",
        "    await conn.copy_records_to_table(",
        *(f"        {arg}," for arg in [*where, "records=rows", "columns=COLUMNS"]),
        "    )",
    ]
    return code.render(fn)


def psycopg_async_copy(code: Code) -> str:
    if code.w.shape is InputShape.CSV:
        return copy_csv(code, is_async=True)
    return copy_rows(code, " (FORMAT BINARY)", set_types=True, is_async=True)
