"""Snippet builders for SQLAlchemy: the ORM (add_all, bulk insert) and Core."""

from __future__ import annotations

from advisor.snippets.code import JSON_TYPES, TABLE, Code, attribute, comment, py_str
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


def _json_none_as_null(code: Code, metadata: str) -> None:
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


def _merge_identity(code: Code, indent: str) -> list[str]:
    """merge() finds a row by the mapper's primary key: map the ON CONFLICT key as it."""
    key = code.table.key
    assert key is not None  # merging means upserting, which needs a key
    lines = comment(
        f"merge() finds rows by the mapper's primary key: here the {key.kind} "
        f"{key.name}, the key the rows are upserted by.",
        indent,
    )
    keys = ", ".join(py_str(c) for c in key.columns)
    return [*lines, f'{indent}__mapper_args__ = {{"primary_key": [{keys}]}}']


def _orm_model(code: Code, merge: bool = False) -> list[str]:
    """The mapped class (identified by the upsert key for `merge`); the lines the function
    starts with to have it mapped."""
    code.need("sqlalchemy", "Engine")
    code.need("sqlalchemy.orm", "DeclarativeBase", "Session")
    reflection = code.table.reflection
    if reflection is None:
        code.need("datetime", "datetime")
        code.need("sqlalchemy", "BigInteger", "DateTime", "Identity")
        code.need("sqlalchemy.orm", "Mapped", "mapped_column")
        head, rest = _ORM_MODEL.split("\n\n    id:")
        by_key = "\n".join(_merge_identity(code, "    ")) + "\n" if merge else ""
        code.blocks.append(f"{head}\n{by_key}\n    id:{rest}")
        return []
    code.need("sqlalchemy.ext.declarative", "DeferredReflection")
    code.blocks += [
        "class Base(DeclarativeBase):\n    pass",
        "class Reflected(DeferredReflection):\n    __abstract__ = True",
    ]
    _json_none_as_null(code, "Base.metadata")
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
        model += _merge_identity(code, "    ")
    elif identity is not None and identity.kind != "primary key":
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
    return ["    Reflected.prepare(engine)  # maps the class on the first call only"]


def _upsert_statement(code: Code, target: str, indent: str = "    ") -> list[str]:
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


def _returning_statement(code: Code, columns: list[str], indent: str, sort: bool = True) -> str:
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


def _returned_ids(code: Code, owner: str, runner: str, indent: str) -> list[str]:
    """Lines leaving the generated values in `ids`, in input order."""
    if not code.upsert:
        columns = [attribute(owner, n) for n in code.returned]
        lines = [_returning_statement(code, columns, indent)]
        if code.one_returned():
            return [*lines, f"{indent}ids = list({runner}.scalars(stmt, rows))"]
        return [*lines, f"{indent}ids = [tuple(row) for row in {runner}.execute(stmt, rows)]"]
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
    lines.append(_returning_statement(code, columns, indent, sort=False))
    lines += _comprehension(
        indent, "by_key", "{", f"{key}: {value} for r in {runner}.execute(stmt, rows)", "}"
    )
    return lines + _comprehension(indent, "ids", "[", f"by_key[{lookup}] for row in rows", "]")


def _objects(code: Code, merge: bool = False) -> list[str]:
    """The function's first lines: the mapped class, and `objs` built from the rows."""
    fn = [code.signature("engine: Engine"), *_orm_model(code, merge)]
    model = code.table.model
    shape = code.w.shape
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
    return fn


def orm_add_all(code: Code) -> str:
    if code.upsert:
        return _orm_merge(code)
    fn = [*_objects(code), "    with Session(engine) as session:", "        session.add_all(objs)"]
    if code.w.returning:
        fn += [
            "        session.flush()  # INSERT ... RETURNING fills in the generated ids",
            f"        ids = [{_returned_attributes(code)} for obj in objs]",
            "        session.commit()",
            "    return ids",
        ]
    else:
        fn.append("        session.commit()")
    return code.render(fn)


def _returned_attributes(code: Code) -> str:
    values = [attribute("obj", n) for n in code.returned]
    return values[0] if code.one_returned() else f"({', '.join(values)})"


def _orm_merge(code: Code) -> str:
    """The unit of work's upsert: Session.merge() per object."""
    fn = [*_objects(code, merge=True), "    with Session(engine) as session:"]
    fn += comment(
        "merge() looks each object up by its key first: a SELECT per row, then an INSERT "
        "or an UPDATE. Not atomic: a row another session inserts in between makes it fail. "
        "no_autoflush keeps each SELECT from first flushing the object merged before it "
        "on its own: they are flushed together.",
        "        ",
    )
    fn.append("        with session.no_autoflush:")
    if code.w.returning:
        fn += [
            "            merged = [session.merge(obj) for obj in objs]",
            "        session.flush()  # INSERT ... RETURNING fills in the generated ids",
            f"        ids = [{_returned_attributes(code)} for obj in merged]",
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
    fn = _objects(code)
    fn += [
        "    with Session(engine) as session:",
        "        session.bulk_save_objects(objs)  # legacy in 2.x, still supported",
        "        session.commit()",
    ]
    return code.render(fn)


def orm_bulk_insert(code: Code) -> str:
    prepare = _orm_model(code)
    model = code.table.model
    code.shape_helpers()
    fn = [code.signature("engine: Engine"), *prepare, *code.as_dicts()]
    fn += _upsert_statement(code, model)
    fn.append("    with Session(engine) as session:")
    if code.w.returning:
        fn += _returned_ids(code, model, "session", "        ")
        fn += ["        session.commit()", "    return ids"]
    else:
        fn += ["        session.execute(stmt, rows)", "        session.commit()"]
    return code.render(fn)


def _core_table(code: Code) -> list[str]:
    """The Table: spelled out for the standard one, reflected for a user's (on the first call;
    the MetaData keeps it for the next ones). Returns the function's lines that get it."""
    reflection = code.table.reflection
    if reflection is None:
        code.need(
            "sqlalchemy",
            *("BigInteger", "Boolean", "Column", "DateTime", "Double", "Engine", "Identity"),
            *("MetaData", "Table", "Text"),
        )
        code.blocks.append(_CORE_TABLE)
        return []
    code.need("sqlalchemy", "Engine", "MetaData", "Table")
    code.blocks.append("metadata = MetaData()")
    _json_none_as_null(code, "metadata")
    args = f"{py_str(reflection.table)}, metadata, schema={py_str(reflection.schema)}"
    line = f"    table = Table({args}, autoload_with=engine)"
    if len(line) > 79:
        line = f"    table = Table(\n        {args}, autoload_with=engine\n    )"
    return ["    # Columns and types as the database describes them, read on the first call", line]


def core_execute(code: Code) -> str:
    get_table = _core_table(code)
    var = code.table.variable
    code.shape_helpers()
    fn = [code.signature("engine: Engine"), *get_table, *code.as_dicts()]
    fn += _upsert_statement(code, var)
    fn.append("    with engine.begin() as conn:")
    if code.w.returning:
        fn += [*_returned_ids(code, f"{var}.c", "conn", "        "), "    return ids"]
    else:
        fn.append("        conn.execute(stmt, rows)")
    return code.render(fn)
