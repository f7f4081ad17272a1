"""Snippet builders for psycopg2, for code bases still on it: `execute_values` and
`copy_expert`.

psycopg2 writes the values into the SQL text on the client: a dict needs its Json adapter,
a uuid.UUID its register_uuid(), and an array literal is text[] unless cast.
"""

from __future__ import annotations

from advisor.snippets.code import JSON_TYPES, Code
from advisor.snippets.psycopg import (
    after_staging,
    array_literal,
    commit,
    csv_copy_sql,
    insert_sql,
    staging,
)
from advisor.snippets.sql import (
    copy_lines,
    paged_values_lines,
    percent_placeholders,
    row_template_lines,
)
from advisor.workload import InputShape

CONNECTION = "conn: connection"


def _adapters(code: Code) -> None:
    """Module-level registrations psycopg2 needs for the table's types (process-wide)."""
    types = {c.base_type for c in code.columns}
    if types & set(JSON_TYPES):
        code.need("psycopg2.extensions", "register_adapter")
        code.need("psycopg2.extras", "Json")
        code.blocks.append("register_adapter(dict, Json)  # dicts go to JSON columns")
    if "uuid" in types:
        code.need("psycopg2.extras", "register_uuid")
        code.blocks.append("register_uuid()  # uuid.UUID values to and from uuid columns")


def psycopg2_execute_values(code: Code) -> str:
    code.need("psycopg2.extensions", "connection")
    code.need("psycopg2.extras", "execute_values")
    _adapters(code)
    insert_sql(code, paged_values_lines())
    template = ""
    if any(c.is_array for c in code.columns):
        code.sql_constant(
            "TEMPLATE",
            percent_placeholders(row_template_lines(code.writes)),
            comment="ARRAY[...] is text[] for text values: arrays are cast to the column type",
        )
        template = ", template=TEMPLATE"
    fn = [code.signature(CONNECTION), *code.as_tuples(), "    with conn.cursor() as cur:"]
    fn.append("        # one INSERT per page of rows: page_size, 100 by default")
    if code.w.returning:
        fetched = "row[0] for row in" if code.one_returned() else "tuple(row) for row in"
        call = f"        returned = execute_values(cur, SQL, rows{template}, fetch=True)"
        if len(call) > 79:
            call = (
                "        returned = execute_values(\n"
                f"            cur, SQL, rows{template}, fetch=True\n"
                "        )"
            )
        fn += [
            call,
            "        # RETURNING order is not guaranteed to follow the rows:",
            "        # return a natural key too if you must pair ids with rows.",
            f"        ids = [{fetched} returned]",
            "    conn.commit()",
            "    return ids",
        ]
    else:
        fn += [f"        execute_values(cur, SQL, rows{template})", "    conn.commit()"]
    return code.render(fn)


_CSV_FIELD = '''def csv_field(value: Any) -> str:
    """A value as COPY reads CSV: NULL is an empty field, all else is quoted.

    Python's csv module writes None and "" alike (until 3.12's QUOTE_NOTNULL).
    """
    if value is None:
        return ""
CASES    return '"' + text.replace('"', '""') + '"\''''


def _csv_field(code: Code) -> None:
    columns = code.columns
    cases = []  # (test, how the value becomes text)
    if any(c.base_type in JSON_TYPES and not c.is_array for c in columns):
        code.need("json")
        cases.append(("isinstance(value, dict)", "json.dumps(value)"))
    if any(c.base_type == "bytea" and not c.is_array for c in columns):
        cases.append(("isinstance(value, bytes)", r'"\\x" + value.hex()'))
    if any(c.is_array for c in columns):
        array_literal(code)
        cases.append(("isinstance(value, list)", "array_literal(value)"))
    lines = []
    for i, (test, text) in enumerate(cases):
        lines += [f"    {'elif' if i else 'if'} {test}:", f"        text = {text}"]
    lines += ["    else:", "        text = str(value)"] if cases else ["    text = str(value)"]
    code.need("typing", "Any")
    code.blocks.append(_CSV_FIELD.replace("CASES", "".join(f"{line}\n" for line in lines)))


def psycopg2_copy_expert(code: Code) -> str:
    code.need("psycopg2.extensions", "connection")
    if code.w.shape is InputShape.CSV:
        return _copy_csv_file(code)
    code.need("io")
    staged = code.writes.staged
    create_staging = staging(code, "        ") if staged else []
    code.sql_constant("COPY", copy_lines(code.writes, " (FORMAT csv)"))
    _csv_field(code)
    fn = [code.signature(CONNECTION), *code.as_tuples()]
    fn += [
        '    text = "".join(",".join(map(csv_field, row)) + "\\n" for row in rows)',
        "    with conn.cursor() as cur:",
        *create_staging,
        "        cur.copy_expert(COPY, io.StringIO(text))",
    ]
    if staged:
        fn += after_staging(code, "        ")
    return code.render([*fn, *commit(code)])


def _copy_csv_file(code: Code) -> str:
    """The CSV file as it is; through a staging table for ON CONFLICT or RETURNING."""
    staged = code.writes.staged
    create_staging = staging(code, "        ") if staged else []
    csv_copy_sql(code, " (FORMAT csv, HEADER true)")
    fn = [code.signature(CONNECTION), "    with open(path) as f, conn.cursor() as cur:"]
    fn += [*create_staging, "        cur.copy_expert(COPY, f)"]
    if staged:
        fn += after_staging(code, "        ")
    return code.render([*fn, *commit(code)])
