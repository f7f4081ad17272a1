"""Snippet builders for psycopg: executemany, COPY (text, binary, a CSV file), unnest."""

from __future__ import annotations

from advisor.snippets.code import JSON_TYPES, Code
from advisor.snippets.sql import (
    copy_lines,
    insert_lines,
    percent_placeholders,
    staged_insert_lines,
    staging_lines,
    unnest_lines,
    values_lines,
)
from advisor.strategy_info import UNNEST_BATCH
from advisor.tables import Column
from advisor.workload import InputShape

_ARRAY_LITERAL = r'''def array_literal(values: list[Any] | None) -> str | None:
    """A list as PostgreSQL array text: {a,"b c",NULL}."""
    if values is None:
        return None
    return "{" + ",".join(map(array_item, values)) + "}"


def array_item(value: Any) -> str:
    if value is None:
        return "NULL"
    TEXT
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
'''.rstrip("\n")


def insert_sql(code: Code, values: list[str]) -> None:
    """The SQL constant of an INSERT with parameters, with ON CONFLICT and RETURNING as asked."""
    code.sql_constant("SQL", percent_placeholders(insert_lines(code.writes, values)))


def driver_executemany(code: Code) -> str:
    code.need("psycopg")
    shape = code.w.shape
    fn = [code.signature("conn: psycopg.Connection")]
    # Dicts bind by name, as they are, when their keys can be placeholders.
    named = shape in (InputShape.DICTS, InputShape.CSV) and code.writes.bindable_by_name
    if named and shape is InputShape.CSV:
        code.csv_parser()
        fn += code.as_dicts()
    elif not named:
        fn += code.as_tuples()
    insert_sql(code, values_lines(code.writes, named=named))
    if code.w.returning:
        fn.append("    ids = []")
    fn += ["    with conn.cursor() as cur:", *code.json_dumper("        ")]
    if code.w.returning:
        fetched = "cur.fetchone()[0]" if code.one_returned() else "cur.fetchone()"
        fn += [
            "        # pipeline mode: all rows go out before any result comes back",
            "        cur.executemany(SQL, rows, returning=True)",
            "        while True:  # one result per row, in input order",
            f"            ids.append({fetched})",
            "            if not cur.nextset():",
            "                break",
            "    conn.commit()",
            "    return ids",
        ]
    else:
        fn += [
            "        # pipeline mode: all rows go out before any result comes back",
            "        cur.executemany(SQL, rows)",
            "    conn.commit()",
        ]
    return code.render(fn)


def _copy_type(column: Column) -> str:
    """The name set_types() knows a column's type by: psycopg's registry has no modifiers."""
    return column.base_type + ("[]" if column.is_array else "")


def _send_as_text(code: Code, *, is_async: bool = False) -> list[str]:
    """Binary COPY of enums and char(n): psycopg has no binary dumper for them, but their
    binary form is their text, so a str dumper with the type's oid is all it takes."""
    names = sorted({c.base_type for c in code.columns if c.is_enum or c.base_type == "character"})
    if not names:
        return []
    code.need("psycopg.types", "TypeInfo")
    code.need("psycopg.types.string", "StrBinaryDumper")
    code.tuple_constant("AS_TEXT", tuple(names))
    head, conn, wait = _ASYNC if is_async else _SYNC
    code.blocks.append(
        "\n".join(
            [
                f"{head}def send_as_text(conn: {conn}) -> None:",
                '    """Let binary COPY send str values to the AS_TEXT types (an enum label',
                '    or a char(n) code is sent as its text, which is its binary form)."""',
                "    for name in AS_TEXT:",
                f"        info = {wait}TypeInfo.fetch(conn, name)",
                "        info.register(conn)  # set_types() now knows name and name[]",
                '        oid = {"oid": info.oid}',
                '        dumper = type("TextDumper", (StrBinaryDumper,), oid)',
                "        conn.adapters.register_dumper(None, dumper)  # for set_types() only",
            ]
        )
    )
    return [f"    {wait}send_as_text(conn)"]


# (def prefix, connection type, await prefix) of the synchronous and the asyncio API
_SYNC = ("", "psycopg.Connection", "")
_ASYNC = ("async ", "psycopg.AsyncConnection", "await ")

STAGING_COMMENT = [
    "# COPY has no ON CONFLICT and returns no ids: load a staging table,",
    "# then INSERT ... SELECT from it.",
]


def staging(code: Code, indent: str, wait: str = "") -> list[str]:
    """The STAGING and SQL constants, and the lines that create the staging table (`wait`:
    "await " for an asyncio cursor)."""
    code.sql_constant("STAGING", staging_lines(code.writes))
    code.sql_constant("SQL", staged_insert_lines(code.writes))
    return [*(f"{indent}{line}" for line in STAGING_COMMENT), f"{indent}{wait}cur.execute(STAGING)"]


def after_staging(code: Code, indent: str, wait: str = "") -> list[str]:
    """The INSERT ... SELECT from the staging table, and the ids it returns in `ids`."""
    fn = [f"{indent}{wait}cur.execute(SQL)"]
    if code.w.returning:
        rows = f"{wait}cur.fetchall()"
        fetched = f"[row[0] for row in {f'({rows})' if wait else rows}]"
        fn.append(f"{indent}ids = {fetched if code.one_returned() else rows}")
    return fn


def commit(code: Code, wait: str = "") -> list[str]:
    """The function's last lines: commit, and return the ids when they are asked for."""
    return [f"    {wait}conn.commit()", *(["    return ids"] if code.w.returning else [])]


def copy_rows(code: Code, options: str, set_types: bool, *, is_async: bool = False) -> str:
    """COPY ... FROM STDIN fed row by row with write_row (into a staging table first when
    the rows are upserted or their ids returned)."""
    code.need("psycopg")
    staged = code.writes.staged
    head, conn, wait = _ASYNC if is_async else _SYNC
    create_staging = staging(code, "        ", wait) if staged else []
    code.sql_constant("COPY", copy_lines(code.writes, options))
    shape = code.w.shape
    fn = [code.signature(f"conn: {conn}", is_async=is_async)]
    source, row = ("objs", "get(obj)") if shape is InputShape.OBJECTS else ("rows", "get(row)")
    if shape is InputShape.DATAFRAME:
        fn += code.as_tuples()
        shape = InputShape.TUPLES
    if shape is InputShape.TUPLES:
        row = "row"
    else:
        code.columns_constant()
        if shape is InputShape.OBJECTS and not code.by_attrgetter:
            row = code.attributes("obj")
        else:
            getter = "attrgetter" if shape is InputShape.OBJECTS else "itemgetter"
            code.need("operator", getter)
            fn.append(f"    get = {getter}(*COLUMNS)")
    if set_types:
        fn += _send_as_text(code, is_async=is_async)
    dumper = [] if set_types else code.json_dumper("        ")
    indent = "    " if staged else ""  # the COPY block sits inside the cursor's
    if staged:
        fn += [f"    {head}with conn.cursor() as cur:", *dumper, *create_staging]
        fn.append(f"        {head}with cur.copy(COPY) as copy:")
    else:
        fn += [f"    {head}with conn.cursor() as cur, cur.copy(COPY) as copy:", *dumper]
    if set_types:
        code.tuple_constant("TYPES", tuple(_copy_type(c) for c in code.columns))
        fn.append(f"{indent}        copy.set_types(TYPES)  # binary COPY: exact types, no casts")
    item = "obj" if shape is InputShape.OBJECTS else "row"
    fn += [
        f"{indent}        for {item} in {source}:",
        f"{indent}            {wait}copy.write_row({row})",
    ]
    if staged:
        fn += after_staging(code, "        ", wait)
    return code.render([*fn, *commit(code, wait)])


def csv_copy_sql(code: Code, options: str) -> None:
    """COPY of a CSV file with a header line, into the table or the staging table."""
    code.sql_constant(
        "COPY",
        copy_lines(code.writes, options),
        comment="The CSV has a header line and these columns, in this order.",
    )


def copy_csv(code: Code, *, is_async: bool = False) -> str:
    """COPY the CSV file as it is; through a staging table for ON CONFLICT or RETURNING."""
    code.need("psycopg")
    staged = code.writes.staged
    head, conn, wait = _ASYNC if is_async else _SYNC
    create_staging = staging(code, "", wait) if staged else []
    csv_copy_sql(code, " (FORMAT csv, HEADER true)")
    fn = [code.signature(f"conn: {conn}", is_async=is_async)]
    if is_async:  # one `with` cannot hold both: the file is sync, the cursor async
        fn += [
            '    with open(path, "rb") as f:  # reads of 1 MiB: brief enough for the loop',
            "        async with conn.cursor() as cur:",
        ]
        indent = "            "
    else:
        fn.append('    with open(path, "rb") as f, conn.cursor() as cur:')
        indent = "        "
    fn += [f"{indent}{line}" for line in create_staging]
    fn += [
        f"{indent}{head}with cur.copy(COPY) as copy:",
        f"{indent}    while data := f.read(1 << 20):  # stream 1 MiB at a time",
        f"{indent}        {wait}copy.write(data)",
    ]
    if staged:
        fn += after_staging(code, indent, wait)
    return code.render([*fn, *commit(code, wait)])


def driver_copy(code: Code) -> str:
    if code.w.shape is InputShape.CSV:
        return copy_csv(code)
    return copy_rows(code, "", set_types=False)


def driver_copy_binary(code: Code) -> str:
    return copy_rows(code, " (FORMAT BINARY)", set_types=True)


def array_literal(code: Code) -> None:
    """The helper that writes a list as PostgreSQL array text, for the element types used."""
    elements = {c.base_type for c in code.columns if c.is_array}
    cases = []  # (test, how the value becomes text)
    if "bytea" in elements:
        cases.append(("isinstance(value, bytes)", r'"\\x" + value.hex()'))
    if elements & set(JSON_TYPES):
        code.need("json")
        cases.append(("isinstance(value, dict | list)", "json.dumps(value)"))
    lines = []
    for i, (test, text) in enumerate(cases):
        lines += [f"    {'elif' if i else 'if'} {test}:", f"        text = {text}"]
    lines += ["    else:", "        text = str(value)"] if cases else ["    text = str(value)"]
    code.need("typing", "Any")
    code.blocks.append(_ARRAY_LITERAL.replace("    TEXT\n", "\n".join(lines) + "\n"))


def driver_unnest(code: Code) -> str:
    code.need("psycopg")
    shape = code.w.shape
    insert_sql(code, unnest_lines(code.writes))
    code.blocks.append(f"BATCH = {UNNEST_BATCH:_}  # rows per statement: one array per column")
    fn = [code.signature("conn: psycopg.Connection")]
    if shape is InputShape.CSV:
        code.csv_parser()
        fn += code.as_dicts()
    elif shape is InputShape.DATAFRAME:
        fn += code.as_tuples()
        shape = InputShape.TUPLES
    array_columns = tuple(c.name for c in code.columns if c.is_array)
    if shape is not InputShape.TUPLES or array_columns:
        code.columns_constant()
    if array_columns:
        code.tuple_constant("ARRAY_COLUMNS", array_columns)
        array_literal(code)
    source = "objs" if shape is InputShape.OBJECTS else "rows"
    if shape is InputShape.OBJECTS:
        arrays = "[[getattr(obj, c) for obj in batch] for c in COLUMNS]"
    elif shape is InputShape.TUPLES:
        arrays = "[list(column) for column in zip(*batch)]"
    else:
        arrays = "[[row[c] for row in batch] for c in COLUMNS]"
    if code.w.returning:
        fn.append("    ids = []")
    fn += [
        "    with conn.cursor() as cur:",
        *code.json_dumper("        "),
        f"        for start in range(0, len({source}), BATCH):",
        f"            batch = {source}[start : start + BATCH]",
        f"            arrays = {arrays}",
    ]
    if array_columns:
        fn += [
            "            for i, name in enumerate(COLUMNS):",
            "                if name in ARRAY_COLUMNS:  # as text: unnest() flattens arrays",
            "                    arrays[i] = [array_literal(v) for v in arrays[i]]",
        ]
    fn.append("            cur.execute(SQL, arrays)")
    if code.w.returning:
        fetched = "row[0] for row in cur.fetchall()" if code.one_returned() else "cur.fetchall()"
        fn += [
            "            # RETURNING order is not guaranteed to follow the arrays:",
            "            # return a natural key too if you must pair ids with rows.",
            f"            ids.extend({fetched})",
        ]
    fn.append("    conn.commit()")
    if code.w.returning:
        fn.append("    return ids")
    return code.render(fn)
