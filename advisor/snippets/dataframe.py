"""Snippet builders for DataFrames: pandas `to_sql` (plain, multi-row, COPY), polars and
Arrow through ADBC.

The rows arrive as a pandas DataFrame `df` (other shapes become one first). Every path
appends to the table that exists: pandas with `if_exists="append"` (never "replace", which
DROPs the table and creates it anew from the frame's dtypes), polars with
`if_table_exists="append"`, ADBC in mode "append". Inside an event loop the blocking call
runs in a worker thread (`asyncio.to_thread`): no DataFrame library inserts asynchronously.
"""

from __future__ import annotations

from advisor.snippets.code import JSON_TYPES, Code, comment, py_str
from advisor.snippets.sql import copy_lines
from advisor.snippets.sqlalchemy import core_table
from advisor.snippets.table import adbc_limits
from advisor.strategy_info import MULTI_CHUNK
from advisor.tables import Column
from advisor.workload import InputShape

MAX_PARAMETERS = 65_535  # bound parameters PostgreSQL takes in one statement

# The standard table's column types for pandas' `dtype=`, which declares what it writes.
_SA_TYPES = {
    "bigint": "BigInteger",
    "text": "Text",
    "double precision": "Double",
    "boolean": "Boolean",
    "timestamp with time zone": "DateTime",
}
# The Arrow and polars types ADBC's binary COPY needs for each column type: it encodes by
# the frame's type, so a float64 for a real column or an int64 for an integer is an error.
_ARROW = {
    "bigint": "pa.int64()",
    "integer": "pa.int32()",
    "smallint": "pa.int16()",
    "double precision": "pa.float64()",
    "real": "pa.float32()",
    "boolean": "pa.bool_()",
    "bytea": "pa.binary()",
    "uuid": "pa.uuid()",
    "date": "pa.date32()",
    "time without time zone": 'pa.time64("us")',
    "timestamp with time zone": 'pa.timestamp("us", tz="UTC")',
    "timestamp without time zone": 'pa.timestamp("us")',
    "json": "pa.json_(pa.string())",
    "jsonb": "pa.json_(pa.string())",
}
_POLARS = {
    "bigint": "pl.Int64",
    "integer": "pl.Int32",
    "smallint": "pl.Int16",
    "double precision": "pl.Float64",
    "real": "pl.Float32",
    "boolean": "pl.Boolean",
    "bytea": "pl.Binary",
    "uuid": "pl.Binary",
    "date": "pl.Date",
    "time without time zone": "pl.Time",
    "timestamp with time zone": 'pl.Datetime("us", "UTC")',
    "timestamp without time zone": 'pl.Datetime("us")',
    "json": "pl.String",
    "jsonb": "pl.String",
}
_NUMERIC_DEFAULT = (38, 9)  # a numeric without precision: Arrow and polars need one


def _as_frame(code: Code) -> list[str]:
    """Lines that leave the input in `df`, a pandas DataFrame of the table's columns."""
    shape = code.w.shape
    if shape is InputShape.DATAFRAME:
        return []
    code.columns_constant()
    lines = code.as_dicts() if shape in (InputShape.OBJECTS, InputShape.CSV) else []
    if shape is InputShape.CSV:
        code.csv_parser()
    return [
        *lines,
        "    # dtype=object keeps the values as they are (no float for an int by a None)",
        "    df = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)",
    ]


def _off_the_loop(code: Code, first: str, fn: list[str]) -> list[str]:
    """Inside an event loop: `fn` becomes `insert_frame`, awaited in a worker thread."""
    if not code.w.asyncio:
        return fn
    code.need("asyncio")
    code.blocks.append("\n".join(fn))
    args = f"{first.partition(':')[0]}, {_rows_argument(code)}"
    return [
        code.signature(first, is_async=True),
        "    # A blocking call: in a worker thread, the event loop keeps serving.",
        f"    await asyncio.to_thread(insert_frame, {args})",
    ]


def _rows_argument(code: Code) -> str:
    return {
        InputShape.OBJECTS: "objs",
        InputShape.CSV: "path",
        InputShape.DATAFRAME: "df",
    }.get(code.w.shape, "rows")


def _signature(code: Code, first: str) -> str:
    return code.signature(first, name="insert_frame" if code.w.asyncio else "")


def _where(code: Code) -> list[str]:
    """to_sql's table arguments: the name, and the schema of a user's table."""
    reflection = code.table.reflection
    if reflection is None:
        return [py_str(code.table.name)]
    return [py_str(reflection.table), f"schema={py_str(reflection.schema)}"]


def _to_sql(code: Code, *, bind: str, extra: list[str]) -> list[str]:
    name, *schema = _where(code)
    args = [name, bind, *schema, 'if_exists="append"', "index=False", *extra]
    return [
        "    # The table exists: append to it (index=False: the index is no column)",
        "    df.to_sql(",
        *(f"        {a}," for a in args),
        "    )",
    ]


def _dtype(code: Code) -> list[str]:
    """Lines that leave in `dtype` the SQLAlchemy types pandas is to declare: without them
    it declares dicts, Decimals and lists TEXT, which PostgreSQL refuses for such columns."""
    if code.table.reflection is not None:
        return [
            *core_table(code),
            "    dtype = {c.name: c.type for c in table.columns if c.name in df}",
        ]
    code.need("sqlalchemy", "Engine")
    names = {_SA_TYPES[c.base_type] for c in code.columns}
    code.need("sqlalchemy", *names)
    entries = [
        f"    {py_str(c.name)}: {_SA_TYPES[c.base_type]}"
        + ("(timezone=True)," if c.base_type.endswith("time zone") else "(),")
        for c in code.columns
    ]
    code.blocks.append("\n".join(["DTYPE = {", *entries, "}"]))
    return []


def pandas_to_sql(code: Code, *, multi: bool = False) -> str:
    code.need("pandas as pd")
    get_dtype = _dtype(code)
    extra = ["dtype=DTYPE" if code.table.reflection is None else "dtype=dtype"]
    if multi:
        chunk = max(1, min(MULTI_CHUNK, MAX_PARAMETERS // len(code.columns)))
        code.blocks.append(
            f"CHUNK = {chunk:_}  # rows per INSERT: rows x columns must stay under 65,535"
        )
        extra += ['method="multi"', "chunksize=CHUNK"]
    fn = [_signature(code, "engine: Engine"), *_as_frame(code), *get_dtype]
    fn += _to_sql(code, bind="engine", extra=extra)
    return code.render(_off_the_loop(code, "engine: Engine", fn))


def pandas_to_sql_multi(code: Code) -> str:
    return pandas_to_sql(code, multi=True)


_COPY_ROWS = '''def copy_rows(
    table: Any, conn: Any, keys: list[str], data_iter: Iterable[Row]
) -> int:
    """pandas' insertion-method hook (to_sql(method=...)): the rows by COPY."""
    # psycopg's connection, under SQLAlchemy's; the values are Python's, in the
    # frame's column order: COLUMNS, the order COPY names them in
    with conn.connection.driver_connection.cursor() as cur:
JSON        with cur.copy(COPY) as copy:
            for row in data_iter:
                copy.write_row(row)
        return cur.rowcount'''


def pandas_copy(code: Code) -> str:
    code.need("pandas as pd")
    code.need("sqlalchemy", "Engine")
    code.need("collections.abc", "Iterable")
    code.need("typing", "Any")
    json = "".join(f"{line}\n" for line in code.json_dumper("        "))
    code.columns_constant()
    code.sql_constant("COPY", copy_lines(code.writes, ""))
    code.blocks.append("Row = tuple[Any, ...]")
    code.blocks.append(_COPY_ROWS.replace("JSON", json))
    fn = [_signature(code, "engine: Engine"), *_as_frame(code)]
    if code.w.shape is InputShape.DATAFRAME:
        fn.append("    df = df[list(COLUMNS)]  # the columns COPY names, in its order")
    fn.append("    with engine.begin() as conn:  # one transaction, committed at the end")
    fn += ["    " + line for line in _to_sql(code, bind="conn", extra=["method=copy_rows"])]
    return code.render(_off_the_loop(code, "engine: Engine", fn))


def _type(column: Column, types: dict[str, str], pa: bool) -> str:
    """The Arrow (pa) or polars type of a column, as code."""
    if column.is_array:
        inner = _type(Column(column.name, column.element_type, labels=column.labels), types, pa)
        return f"pa.list_({inner})" if pa else f"pl.List({inner})"
    if column.base_type == "numeric":
        precision, scale = (*column.modifiers, 0)[:2] if column.modifiers else _NUMERIC_DEFAULT
        if pa:
            return f"pa.decimal{128 if precision <= 38 else 256}({precision}, {scale})"
        return f"pl.Decimal({precision}, {scale})"
    return types.get(column.base_type, "pa.string()" if pa else "pl.String")


def _encode(code: Code) -> list[str]:
    """Lines turning JSON values into their text and uuids into their 16 bytes: what the
    Arrow and polars types of those columns hold."""
    lines = []
    for column in code.columns:
        if column.is_array:
            continue
        if column.base_type in JSON_TYPES:
            code.need("json")
            how = "json.dumps"
        elif column.base_type == "uuid":
            code.need("operator", "attrgetter")
            how = 'attrgetter("bytes")'
        else:
            continue
        name = py_str(column.name)
        line = f'            {name}: df[{name}].map({how}, na_action="ignore"),'
        if len(line) > 79:
            line = (
                f"            {name}: df[{name}].map(\n"
                f'                {how}, na_action="ignore"\n'
                "            ),"
            )
        lines.append(line)
    if not lines:
        return []
    return [
        "    # JSON as its text, uuids as their 16 bytes",
        "    df = df.assign(",
        "        **{",
        *lines,
        "        }",
        "    )",
    ]


def _numeric_note(code: Code) -> None:
    if any(c.base_type == "numeric" and not c.modifiers for c in code.columns):
        code.blocks.append(
            "\n".join(
                comment(
                    "A numeric column without precision: Arrow needs one; decimal(38, 9) is a "
                    "choice to adjust to your values (its scale is what gets stored)."
                )
            )
        )


def _limits(code: Code, strategy: str) -> None:
    """What this path cannot write to the table, said above the code."""
    for sentence in adbc_limits(code.table, strategy):
        code.blocks.append("\n".join(comment(f"Careful: {sentence}")))


def adbc_ingest(code: Code) -> str:
    _limits(code, "adbc_ingest")
    code.need("pandas as pd")
    code.need("pyarrow as pa")
    code.need("adbc_driver_postgresql.dbapi", "Connection")
    _numeric_note(code)
    fields = [f"        ({py_str(c.name)}, {_type(c, _ARROW, True)})," for c in code.columns]
    code.blocks.append(
        "\n".join(
            [
                "# The table's column types: ADBC writes binary COPY by the Arrow types.",
                "SCHEMA = pa.schema(",
                "    [",
                *fields,
                "    ]",
                ")",
            ]
        )
    )
    reflection = code.table.reflection
    args = [py_str(code.table.name), "table", 'mode="append"']
    if reflection is not None:
        args[0] = py_str(reflection.table)
        args.append(f"db_schema_name={py_str(reflection.schema)}")
    call = f"        cur.adbc_ingest({', '.join(args)})"
    if len(call) > 79:
        call = "\n".join(
            ["        cur.adbc_ingest(", *(f"            {a}," for a in args), "        )"]
        )
    fn = [_signature(code, "conn: Connection"), *_as_frame(code), *_encode(code)]
    fn += [
        "    table = pa.Table.from_pandas(df, schema=SCHEMA, preserve_index=False)",
        "    with conn.cursor() as cur:  # names unquoted: the driver quotes them",
        call,
        "    conn.commit()",
    ]
    return code.render(_off_the_loop(code, "conn: Connection", fn))


def polars_adbc(code: Code) -> str:
    _limits(code, "polars_adbc")
    code.need("pandas as pd")
    code.need("polars as pl")
    code.need("adbc_driver_postgresql.dbapi", "Connection")
    _numeric_note(code)
    entries = [f"    {py_str(c.name)}: {_type(c, _POLARS, False)}," for c in code.columns]
    code.blocks.append(
        "\n".join(
            [
                "# The table's column types: ADBC writes binary COPY by the frame's types.",
                "SCHEMA = {",
                *entries,
                "}",
            ]
        )
    )
    fn = [_signature(code, "conn: Connection"), *_as_frame(code), *_encode(code)]
    fn += [
        "    frame = pl.from_pandas(df[list(SCHEMA)]).cast(SCHEMA)",
        "    # polars splits the name at the dot, appends, and commits itself",
        "    frame.write_database(",
        f"        {py_str(code.table.name)},",
        "        conn,",
        '        if_table_exists="append",',
        '        engine="adbc",',
        "    )",
    ]
    return code.render(_off_the_loop(code, "conn: Connection", fn))
