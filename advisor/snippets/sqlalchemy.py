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


def orm_model(code: Code, *, is_async: bool = False) -> list[str]:
    """The mapped class; the lines the function starts with to have it mapped."""
    if is_async:
        code.need("sqlalchemy.ext.asyncio", "AsyncEngine", "AsyncSession")
        code.need("sqlalchemy.orm", "DeclarativeBase")
    else:
        code.need("sqlalchemy", "Engine")
        code.need("sqlalchemy.orm", "DeclarativeBase", "Session")
    reflection = code.table.reflection
    if reflection is None:
        code.need("datetime", "datetime")
        code.need("sqlalchemy", "BigInteger", "DateTime", "Identity")
        code.need("sqlalchemy.orm", "Mapped", "mapped_column")
        code.blocks.append(_ORM_MODEL)
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
    if identity is not None and identity.kind != "primary key":
        model += comment(
            f"No primary key: the ORM tells rows apart by the {identity.kind} "
            f"{identity.name} instead.",
            "    ",
        )
        keys = ", ".join(py_str(c) for c in identity.columns)
        model.append(f'    __mapper_args__ = {{"primary_key": [{keys}]}}')
    elif identity is None:
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


def returning_statement(code: Code, columns: list[str], indent: str) -> str:
    line = f"{indent}stmt = stmt.returning({', '.join(columns)}, sort_by_parameter_order=True)"
    if len(line) <= 79:
        return line
    return (
        f"{indent}stmt = stmt.returning(\n{indent}    {', '.join(columns)},\n"
        f"{indent}    sort_by_parameter_order=True,\n{indent})"
    )


def objects(code: Code, *, is_async: bool = False) -> list[str]:
    """The function's first lines: the mapped class, and `objs` built from the rows."""
    shape = code.w.shape
    code.ids_from_rows = shape in (InputShape.OBJECTS, InputShape.DICTS)
    prepare = orm_model(code, is_async=is_async)  # first: the signature names the class
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
    fn = [*objects(code), "    with Session(engine) as session:", "        session.add_all(objs)"]
    if code.w.returning:
        values = [attribute("obj", n) for n in code.returned]
        value = values[0] if code.one_returned() else f"({', '.join(values)})"
        fn += [
            "        session.flush()  # INSERT ... RETURNING fills in the generated ids",
            f"        ids = [{value} for obj in objs]",
            "        session.commit()",
            "    return ids",
        ]
    else:
        fn.append("        session.commit()")
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
        columns = [attribute(model, n) for n in code.returned]
        fn.append(returning_statement(code, columns, "        "))
        if code.one_returned():
            fn.append("        ids = list(session.scalars(stmt, rows))")
        else:
            fn.append("        ids = [tuple(row) for row in session.execute(stmt, rows)]")
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
        columns = [attribute(f"{var}.c", n) for n in code.returned]
        fn.append(returning_statement(code, columns, "        "))
        if code.one_returned():
            fn.append("        return list(conn.scalars(stmt, rows))")
        else:
            fn.append("        return [tuple(row) for row in conn.execute(stmt, rows)]")
    else:
        fn.append("        conn.execute(stmt, rows)")
    return code.render(fn)
