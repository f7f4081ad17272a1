"""Snippet builders for SQLAlchemy: the ORM (add_all, bulk insert) and Core."""

from __future__ import annotations

from advisor.snippets.code import (
    FRAME_TO_PYTHON,
    JSON_TYPES,
    TABLE,
    Code,
    attribute,
    comment,
    py_str,
)
from advisor.workload import InputShape

_ORM_MODEL = f'''class Base(DeclarativeBase):
    pass


class StandardRow(Base):
    __tablename__ = "{TABLE}"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str]
    email: Mapped[str] = mapped_column(unique=True)
    score: Mapped[float | None]
    active: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))'''


_CORE_TABLE = f'''{TABLE} = Table(
    "{TABLE}",
    MetaData(),
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, unique=True),
    Column("score", Double),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)'''


def json_none_as_null(code: Code, metadata: str) -> None:
    """A reflection hook: SQLAlchemy would store None in a JSON column as JSON null."""
    if not any(c.base_type in JSON_TYPES for c in code.columns):
        return
    code.need("sqlalchemy", "JSON", "event")
    code.need("typing", "Any")
    code.blocks.append(
        "\n".join(
            [
                f'@event.listens_for({metadata}, "column_reflect")',
                "def none_as_null(inspector: Any, table: Any, column: dict[str, Any]) -> None:",
                '    """Store None in a JSON column as SQL NULL, not as JSON null."""',
                '    json = getattr(column["type"], "item_type", column["type"])  # arrays too',
                "    if isinstance(json, JSON):",
                "        json.none_as_null = True",
            ]
        )
    )


def _merge_identity(code: Code, indent: str) -> tuple[list[str], str]:
    """merge() finds a row by the mapper's primary key: map the ON CONFLICT key as it.
    The comment, and the mapper argument."""
    key = code.table.key
    assert key is not None  # merging means upserting, which needs a key
    lines = comment(
        f"merge() finds rows by the mapper's primary key: here the {key.kind} "
        f"{key.name}, the key the rows are upserted by.",
        indent,
    )
    return lines, _primary_key(key.columns)


def _primary_key(columns: tuple[str, ...]) -> str:
    return f'"primary_key": [{", ".join(py_str(c) for c in columns)}]'


def _eager_defaults(indent: str) -> tuple[list[str], str]:
    """An AsyncSession cannot load an expired attribute later: what the database computes
    on UPDATE comes back with the UPDATE (RETURNING), for the ids read after the flush."""
    lines = comment(
        "eager_defaults: what the database computes comes back with the INSERT or "
        "UPDATE itself (RETURNING); an async session could not load it afterwards.",
        indent,
    )
    return lines, '"eager_defaults": True'


def _mapper_args(indent: str, parts: list[tuple[list[str], str]]) -> list[str]:
    """The comments, then `__mapper_args__` with each part's argument; none without parts."""
    if not parts:
        return []
    lines = [line for comments, _ in parts for line in comments]
    args = ", ".join(arg for _, arg in parts)
    line = f"{indent}__mapper_args__ = {{{args}}}"
    if len(line) > 79:
        inner = "".join(f"{indent}    {arg},\n" for _, arg in parts)
        line = f"{indent}__mapper_args__ = {{\n{inner}{indent}}}"
    return [*lines, line]


def orm_model(code: Code, *, is_async: bool = False, merge: bool = False) -> list[str]:
    """The mapped class (identified by the upsert key for `merge`); the lines the function
    starts with to have it mapped."""
    if is_async:
        code.need("sqlalchemy.ext.asyncio", "AsyncEngine", "AsyncSession")
        code.need("sqlalchemy.orm", "DeclarativeBase")
    else:
        code.need("sqlalchemy", "Engine")
        code.need("sqlalchemy.orm", "DeclarativeBase", "Session")
    reflection = code.table.reflection
    # Ids read after an async merge's flush: what an UPDATE computes must come back with it.
    eager = [_eager_defaults("    ")] if merge and is_async and code.w.returning else []
    if reflection is None:
        code.need("datetime", "datetime")
        code.need("sqlalchemy", "BigInteger", "DateTime", "Identity")
        code.need("sqlalchemy.orm", "Mapped", "mapped_column")
        head, rest = _ORM_MODEL.split("\n\n    id:")
        args = _mapper_args("    ", [_merge_identity(code, "    "), *eager] if merge else [])
        by_key = "".join(f"{line}\n" for line in args)
        code.blocks.append(f"{head}\n{by_key}\n    id:{rest}")
        return []
    code.need("sqlalchemy.ext.declarative", "DeferredReflection")
    code.blocks += [
        "class Base(DeclarativeBase):\n    pass",
        "class Reflected(DeferredReflection):\n    __abstract__ = True",
    ]
    json_none_as_null(code, "Base.metadata")
    model = [f"class {code.table.model}(Reflected, Base):"]
    model += comment(
        "Mapped from the database's own description by Reflected.prepare(engine): "
        "call it once before creating objects (insert_rows does, too).",
        "    ",
    )
    model += [
        f"    __tablename__ = {py_str(reflection.table)}",
        f'    __table_args__ = {{"schema": {py_str(reflection.schema)}}}',
    ]
    identity = reflection.identity
    if merge and code.table.key != identity:
        model += _mapper_args("    ", [_merge_identity(code, "    "), *eager])
    elif identity is not None and identity.kind != "primary key":
        why = comment(
            f"No primary key: the ORM tells rows apart by the {identity.kind} "
            f"{identity.name} instead.",
            "    ",
        )
        model += _mapper_args("    ", [(why, _primary_key(identity.columns)), *eager])
    elif identity is not None:
        model += _mapper_args("    ", eager)
    else:
        model += comment(
            f"{code.table.name} has no primary key or unique key: the ORM cannot map it "
            "until one is added.",
            "    ",
        )
    code.blocks.append("\n".join(model))
    if is_async:
        return [
            "    async with engine.connect() as conn:  # maps the class on the first call",
            "        await conn.run_sync(Reflected.prepare)",
        ]
    return ["    Reflected.prepare(engine)  # maps the class on the first call only"]


def upsert_statement(code: Code, target: str, indent: str = "    ") -> list[str]:
    """Lines building `stmt`: a plain insert, or PostgreSQL's insert with ON CONFLICT."""
    if not code.upsert:
        code.need("sqlalchemy", "insert")
        return [f"{indent}stmt = insert({target})"]
    code.need("sqlalchemy.dialects.postgresql", "insert")
    code.tuple_constant("UPDATE_COLUMNS", code.update_columns)
    return [
        f"{indent}stmt = insert({target})",
        f"{indent}stmt = stmt.on_conflict_do_update(",
        f"{indent}    index_elements=[{', '.join(py_str(c) for c in code.key)}],",
        f"{indent}    set_={{c: stmt.excluded[c] for c in UPDATE_COLUMNS}},",
        f"{indent})",
    ]


def _returning_statement(columns: list[str], indent: str, sort: bool = True) -> str:
    order = ", sort_by_parameter_order=True" if sort else ""
    line = f"{indent}stmt = stmt.returning({', '.join(columns)}{order})"
    if len(line) <= 79:
        return line
    together = f"{indent}    {', '.join(columns)},"
    lines = [f"{indent}stmt = stmt.returning("]
    lines += [together] if len(together) <= 79 else [f"{indent}    {c}," for c in columns]
    if sort:
        lines.append(f"{indent}    sort_by_parameter_order=True,")
    return "\n".join([*lines, f"{indent})"])


def _comprehension(indent: str, name: str, opening: str, body: str, closing: str) -> list[str]:
    """`name = [body]` (or `{...}`) on one line, or over three when too long."""
    line = f"{indent}{name} = {opening}{body}{closing}"
    if len(line) <= 79:
        return [line]
    return [f"{indent}{name} = {opening}", f"{indent}    {body}", f"{indent}{closing}"]


def returned_ids(
    code: Code, owner: str, runner: str, indent: str, *, is_async: bool = False
) -> list[str]:
    """Lines leaving the generated values in `ids`, in input order (`runner`: what executes
    `stmt`, a Connection or a Session; awaited when `is_async`)."""
    wait = "await " if is_async else ""
    result = f"{runner}.execute(stmt, rows)"
    if not code.upsert:
        columns = [attribute(owner, n) for n in code.returned]
        lines = [_returning_statement(columns, indent)]
        if code.one_returned():
            return [*lines, f"{indent}ids = list({wait}{runner}.scalars(stmt, rows))"]
        if is_async:
            lines.append(f"{indent}result = await {result}")
            result = "result"
        return [*lines, f"{indent}ids = [tuple(row) for row in {result}]"]
    # RETURNING with the key, and the ids paired with the rows by it.
    k = len(code.key)
    columns = [attribute(owner, n) for n in (*code.key, *code.returned)]
    key = "r[0]" if k == 1 else f"tuple(r[:{k}])"
    value = f"r[{k}]" if code.one_returned() else f"tuple(r[{k}:])"
    lookups = [f"row[{py_str(c)}]" for c in code.key]
    lookup = lookups[0] if k == 1 else f"({', '.join(lookups)})"
    lines = comment(
        "RETURNING follows no promised order, and sort_by_parameter_order=True sorts by "
        "the ids, which an updated row keeps from before: pair ids and rows by the key.",
        indent,
    )
    lines.append(_returning_statement(columns, indent, sort=False))
    if is_async:
        lines.append(f"{indent}result = await {result}")
        result = "result"
    lines += _comprehension(indent, "by_key", "{", f"{key}: {value} for r in {result}", "}")
    return lines + _comprehension(indent, "ids", "[", f"by_key[{lookup}] for row in rows", "]")


def objects(code: Code, *, is_async: bool = False, merge: bool = False) -> list[str]:
    """The function's first lines: the mapped class (identified by the upsert key for
    `merge`), and `objs` built from the rows."""
    shape = code.w.shape
    code.ids_from_rows = shape in (InputShape.OBJECTS, InputShape.DICTS)
    # first: the signature names the class
    prepare = orm_model(code, is_async=is_async, merge=merge)
    first = "engine: AsyncEngine" if is_async else "engine: Engine"
    fn = [code.signature(first, is_async=is_async), *prepare]
    model = code.table.model
    if shape is InputShape.CSV:
        code.csv_parser()
        fn += [
            '    with open(path, newline="") as f:',
            f"        objs = [{model}(**parse_row(rec)) for rec in csv.DictReader(f)]",
        ]
    elif shape is InputShape.DICTS:
        fn.append(f"    objs = [{model}(**row) for row in rows]")
    elif shape is InputShape.TUPLES:
        code.columns_constant()
        fn.append(f"    objs = [{model}(**dict(zip(COLUMNS, row))) for row in rows]")
    elif shape is InputShape.DATAFRAME:
        fn += [*FRAME_TO_PYTHON, f'    objs = [{model}(**row) for row in df.to_dict("records")]']
    return fn


def orm_add_all(code: Code) -> str:
    if code.upsert:
        return _orm_merge(code)
    fn = [*objects(code), "    with Session(engine) as session:", "        session.add_all(objs)"]
    if code.w.returning:
        fn += [
            "        session.flush()  # INSERT ... RETURNING fills in the generated ids",
            f"        ids = [{returned_attributes(code)} for obj in objs]",
            "        session.commit()",
            "    return ids",
        ]
    else:
        fn.append("        session.commit()")
    return code.render(fn)


def returned_attributes(code: Code) -> str:
    values = [attribute("obj", n) for n in code.returned]
    return values[0] if code.one_returned() else f"({', '.join(values)})"


MERGE_COMMENT = (
    "merge() looks each object up by its key first: a SELECT per row, then an INSERT "
    "or an UPDATE. Not atomic: a row another session inserts in between makes it fail. "
    "no_autoflush keeps each SELECT from first flushing the object merged before it "
    "on its own: they are flushed together."
)


def _orm_merge(code: Code) -> str:
    """The unit of work's upsert: Session.merge() per object."""
    fn = [*objects(code, merge=True), "    with Session(engine) as session:"]
    fn += comment(MERGE_COMMENT, "        ")
    fn.append("        with session.no_autoflush:")
    if code.w.returning:
        fn += [
            "            merged = [session.merge(obj) for obj in objs]",
            "        session.flush()  # INSERT ... RETURNING fills in the generated ids",
            f"        ids = [{returned_attributes(code)} for obj in merged]",
            "        session.commit()",
            "    return ids",
        ]
    else:
        fn += [
            "            for obj in objs:",
            "                session.merge(obj)",
            "        session.commit()",
        ]
    return code.render(fn)


def orm_bulk_save_objects(code: Code) -> str:
    fn = objects(code)
    fn += [
        "    with Session(engine) as session:",
        "        session.bulk_save_objects(objs)  # legacy in 2.x, still supported",
        "        session.commit()",
    ]
    return code.render(fn)


def orm_bulk_insert(code: Code) -> str:
    prepare = orm_model(code)
    model = code.table.model
    code.ids_from_rows = code.w.shape is InputShape.DICTS
    code.shape_helpers()
    fn = [code.signature("engine: Engine"), *prepare, *code.as_dicts()]
    fn += upsert_statement(code, model)
    fn.append("    with Session(engine) as session:")
    if code.w.returning:
        fn += returned_ids(code, model, "session", "        ")
        fn += ["        session.commit()", "    return ids"]
    else:
        fn += ["        session.execute(stmt, rows)", "        session.commit()"]
    return code.render(fn)


def core_table(code: Code, *, is_async: bool = False) -> list[str]:
    """The Table: spelled out for the standard one, reflected for a user's (on the first call;
    the MetaData keeps it for the next ones). Returns the function's lines that get it;
    async, they go inside `async with engine.begin() as conn:`."""
    reflection = code.table.reflection
    if not is_async:
        code.need("sqlalchemy", "Engine")
    if reflection is None:
        code.need(
            "sqlalchemy",
            *("BigInteger", "Boolean", "Column", "DateTime", "Double", "Identity"),
            *("MetaData", "Table", "Text"),
        )
        code.blocks.append(_CORE_TABLE)
        return []
    code.need("sqlalchemy", "MetaData", "Table")
    code.blocks.append("metadata = MetaData()")
    json_none_as_null(code, "metadata")
    args = f"{py_str(reflection.table)}, metadata, schema={py_str(reflection.schema)}"
    if is_async:
        code.need("sqlalchemy", "Connection")
        code.blocks.append(
            "\n".join(
                [
                    "def reflect(conn: Connection) -> Table:",
                    '    """Columns and types as the database describes them (read on the',
                    '    first call, then kept by the MetaData)."""',
                    _table_call("    return ", args, "conn"),
                ]
            )
        )
        return ["        table = await conn.run_sync(reflect)"]
    return [
        "    # Columns and types as the database describes them, read on the first call",
        _table_call("    table = ", args, "engine"),
    ]


def _table_call(head: str, args: str, bind: str) -> str:
    line = f"{head}Table({args}, autoload_with={bind})"
    if len(line) <= 79:
        return line
    return f"{head}Table(\n        {args}, autoload_with={bind}\n    )"


def core_execute(code: Code) -> str:
    get_table = core_table(code)
    var = code.table.variable
    code.ids_from_rows = code.w.shape is InputShape.DICTS
    code.shape_helpers()
    fn = [code.signature("engine: Engine"), *get_table, *code.as_dicts()]
    fn += upsert_statement(code, var)
    fn.append("    with engine.begin() as conn:")
    if code.w.returning:
        fn += [*returned_ids(code, f"{var}.c", "conn", "        "), "    return ids"]
    else:
        fn.append("        conn.execute(stmt, rows)")
    return code.render(fn)
