"""What every snippet builder shares: the code being assembled, literals, names, SQL lines."""

from __future__ import annotations

import keyword
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from advisor.snippets.sql import Writes
from advisor.snippets.table import SnippetTable
from advisor.tables import STANDARD, STANDARD_KEYED, Column
from advisor.workload import InputShape, Workload

TABLE = STANDARD.name
TABLE_DDL = STANDARD_KEYED.create_sql.format(table=TABLE)


# A CSV field as PostgreSQL writes it (COPY ... TO ... CSV) turned into the value its column
# takes: an expression on the field's text, and the import it needs. Types not listed (text,
# varchar, char, enums) are the text itself.
_PARSE: dict[str, tuple[str, tuple[str, ...]]] = {
    "smallint": ("int({})", ()),
    "integer": ("int({})", ()),
    "bigint": ("int({})", ()),
    "numeric": ("Decimal({})", ("decimal", "Decimal")),
    "real": ("float({})", ()),
    "double precision": ("float({})", ()),
    "boolean": ('{}.lower() in ("t", "true", "1")', ()),
    "date": ("date.fromisoformat({})", ("datetime", "date")),
    "time without time zone": ("time.fromisoformat({})", ("datetime", "time")),
    "timestamp without time zone": ("datetime.fromisoformat({})", ("datetime", "datetime")),
    "timestamp with time zone": ("datetime.fromisoformat({})", ("datetime", "datetime")),
    "uuid": ("UUID({})", ("uuid", "UUID")),
    "json": ("json.loads({})", ("json",)),
    "jsonb": ("json.loads({})", ("json",)),
    "bytea": ("bytes.fromhex({}[2:])", ()),  # written as \x and hex digits
}
_INTEGERS = ("smallint", "integer", "bigint")
JSON_TYPES = ("json", "jsonb")


def py_str(text: str) -> str:
    """`text` as a Python string literal, in double quotes unless that needs more escapes."""
    literal = repr(text)
    return f'"{literal[1:-1]}"' if literal[0] == "'" and '"' not in text else literal


def attribute(owner: str, name: str) -> str:
    """`obj.name`, or `getattr(obj, "odd name")` when the name is not an identifier."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return f"{owner}.{name}"
    return f"getattr({owner}, {py_str(name)})"


def printable(text: str) -> str:
    """`text` with each character that is not printable as its Python escape (a newline as
    \\n): a name from the catalogs can then never end the comment it is quoted in."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def comment(text: str, indent: str = "") -> list[str]:
    """`text` as comment lines within 79 columns; every line is a comment whatever it holds."""
    return textwrap.wrap(
        printable(text), 79, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# "
    )


def _and(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


@dataclass
class Code:
    """A snippet being assembled: imports, module-level blocks, one function."""

    w: Workload
    table: SnippetTable
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> names ("" = import)
    blocks: list[str] = field(default_factory=list)
    # SQLAlchemy writes every key a dict (or attribute an object) has: an id the rows carry
    # reaches the standard table. Set by the builders where it does; the header says which.
    ids_from_rows: bool = False

    @property
    def writes(self) -> Writes:
        return Writes(self.table, self.w.upsert, self.w.returning)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.writes.columns

    @property
    def names(self) -> tuple[str, ...]:
        return self.writes.names

    @property
    def sql_names(self) -> tuple[str, ...]:
        return self.writes.sql_names

    @property
    def upsert(self) -> bool:
        """ON CONFLICT as asked, when the table has a key to detect conflicts by."""
        return self.writes.upserting

    @property
    def key(self) -> tuple[str, ...]:
        return self.writes.key

    @property
    def update_columns(self) -> tuple[str, ...]:
        return self.writes.update_columns

    @property
    def returned(self) -> tuple[str, ...]:
        return self.writes.returned

    def need(self, module: str, *names: str) -> None:
        """`need("csv")` for `import csv`; `need("typing", "Any")` for `from typing import Any`."""
        self.imports.setdefault(module, set()).update(names)

    def header(self) -> list[str]:
        table = self.table
        if table.reflection is None:
            return [
                "# The standard table, as this snippet expects it:",
                *(f"#   {line}" for line in TABLE_DDL.splitlines()),
                *self.standard_ids(),
            ]
        # Like the standard table's DDL: what the code writes, even where it never names
        # the columns (a reflected ORM class fed objects).
        lines = comment(f"Written for {table.name}, as its catalogs describe it. The code writes:")
        lines += [
            "#   " + printable(f"{table.sql[c.name]} {c.type}{'' if c.nullable else ' NOT NULL'}")
            for c in self.columns
        ]
        filled = [table.sql[n] for n in self.returned]
        if filled:
            lines += comment(f"and the database fills in {_and(filled)}.")
        if self.upsert and table.key is not None:
            key = ", ".join(table.sql[n] for n in table.key.columns)
            lines += comment(f"ON CONFLICT ({key}): the {table.key.kind} {table.key.name}.")
        elif self.w.upsert:
            lines += comment(
                f"No ON CONFLICT: {table.name} has no primary key or unique constraint on the "
                "columns written here, so nothing tells an existing row from a new one. Add "
                f"one (ALTER TABLE {table.name} ADD UNIQUE (...)), then ask again."
            )
        return lines

    def standard_ids(self) -> list[str]:
        """Who numbers the standard table's rows, and what rows with ids of their own need."""
        if self.ids_from_rows:
            who = (
                "id is numbered by the database (identity) unless a row carries one: "
                "SQLAlchemy writes the id a row has. After rows with ids of their own, "
                "move the identity past them (or its next id collides):"
            )
        else:
            who = (
                "id is numbered by the database (identity): the code writes no id, so rows "
                "need none and an id they carry is ignored. To keep ids of your own, write "
                "id too, then move the identity past them (or its next id collides):"
            )
        return [
            *comment(who),
            f"#   SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), max(id))",
            f"#   FROM {TABLE};",
        ]

    def render(self, function: list[str]) -> str:
        order = sorted(self.imports, key=lambda m: (bool(self.imports[m]), m))  # as isort
        groups = [
            "\n".join(
                _import_line(module, self.imports[module])
                for module in order
                if (module.split(".")[0] in _STDLIB) is stdlib
            )
            for stdlib in (True, False)
        ]
        top = "\n\n".join(p for p in ["\n".join(self.header()), *groups] if p)
        return "\n\n\n".join([top, *self.blocks, "\n".join(function)]) + "\n"

    # --- pieces shared by several strategies ------------------------------------------

    def tuple_constant(self, name: str, values: tuple[str, ...]) -> None:
        quoted = [py_str(v) for v in values]
        line = f"{name} = ({', '.join(quoted)}{',' if len(quoted) == 1 else ''})"
        if len(line) > 79:  # one value per line, as a formatter would
            line = f"{name} = (\n" + "".join(f"    {q},\n" for q in quoted) + ")"
        if line not in self.blocks:  # several steps may ask for the same constant
            self.blocks.append(line)

    def columns_constant(self) -> None:
        self.tuple_constant("COLUMNS", self.names)

    def csv_parser(self) -> None:
        self.need("csv")
        self.need("typing", "Any")
        body = [line for c in self.columns for line in _dict_entry(c.name, self.parse(c))]
        self.blocks.append(
            "\n".join(
                [
                    "def parse_row(rec: dict[str, str]) -> dict[str, Any]:",
                    '    """Type one CSV record: Python code expects values, not text."""',
                    "    return {",
                    *body,
                    "    }",
                ]
            )
        )

    def parse(self, column: Column) -> list[str]:
        """The value of `column` from its CSV field: [value] or [value, "if ...", "else ..."]."""
        text = f"rec[{py_str(column.name)}]"
        template, imports = _PARSE.get(column.base_type, ("{}", ()))
        if imports:
            self.need(*imports)
        if column.is_array:
            self.array_parser()
            item = "" if template == "{}" else f", {_callable(template)}"
            value = f"parse_array({text}{item})"
        else:
            value = template.format(text)
        if not column.nullable:
            return [value]
        if value == text:  # an empty field is NULL, as COPY reads it
            return [f"{text} or None"]
        return [value, f"if {text}", "else None"]

    def array_parser(self) -> None:
        if _PARSE_ARRAY in self.blocks:
            return
        self.need("re")
        self.need("collections.abc", "Callable")
        self.need("typing", "Any")
        self.blocks.append(_PARSE_ARRAY)

    def sql_constant(self, name: str, lines: list[str], comment: str = "") -> None:
        quoted = "\n".join(f"    {py_str(line)}" for line in lines)
        above = f"# {printable(comment)}\n" if comment else ""
        self.blocks.append(f"{above}{name} = (\n{quoted}\n)")

    def one_returned(self) -> bool:
        """One generated column comes back as a list of values; several, as tuples."""
        return len(self.returned) == 1

    def returns(self) -> str:
        if not self.w.returning:
            return "None"
        if not self.one_returned():
            self.need("typing", "Any")
            return "list[tuple[Any, ...]]"
        if self.table.returned[0].base_type in _INTEGERS:
            return "list[int]"
        self.need("typing", "Any")
        return "list[Any]"

    def signature(self, first: str, *, is_async: bool = False, name: str = "") -> str:
        """`def insert_rows(first, <rows in the workload's shape>) -> ...:` (`async def` for
        an asyncio API; `name` for a helper that takes the same arguments)."""
        returns = self.returns()
        shape = self.w.shape
        if shape is InputShape.CSV:
            name, rows = name or "load_csv", "path: str"
        else:
            model = self.table.model if "sqlalchemy.orm" in self.imports else "Any"
            if shape is InputShape.DATAFRAME:
                self.need("pandas as pd")
            name, rows = (
                name or "insert_rows",
                {
                    InputShape.OBJECTS: f"objs: list[{model}]",
                    InputShape.DICTS: "rows: list[dict[str, Any]]",
                    InputShape.TUPLES: "rows: list[tuple[Any, ...]]",
                    InputShape.DATAFRAME: "df: pd.DataFrame",
                }[shape],
            )
            if "Any" in rows:
                self.need("typing", "Any")
        head = "async def" if is_async else "def"
        line = f"{head} {name}({first}, {rows}) -> {returns}:"
        if len(line) <= 79:
            return line
        return f"{head} {name}(\n    {first}, {rows}\n) -> {returns}:"

    def as_dicts(self) -> list[str]:
        """Lines that leave the input in `rows` as a list of dicts."""
        shape = self.w.shape
        if shape is InputShape.OBJECTS:
            return ["    rows = [{c: getattr(obj, c) for c in COLUMNS} for obj in objs]"]
        if shape is InputShape.TUPLES:
            return ["    rows = [dict(zip(COLUMNS, row)) for row in rows]"]
        if shape is InputShape.CSV:
            return [
                '    with open(path, newline="") as f:',
                "        rows = [parse_row(rec) for rec in csv.DictReader(f)]",
            ]
        if shape is InputShape.DATAFRAME:
            return [*FRAME_TO_PYTHON, '    rows = df[list(COLUMNS)].to_dict("records")']
        return []

    def as_tuples(self) -> list[str]:
        """Lines that leave the input in `rows` as tuples in COLUMNS order."""
        shape = self.w.shape
        if shape is InputShape.TUPLES:
            return []
        self.columns_constant()
        if shape is InputShape.OBJECTS:
            return [f"    rows = [{self.attributes('obj')} for obj in objs]"]
        if shape is InputShape.DATAFRAME:
            return [
                *FRAME_TO_PYTHON,
                "    rows = list(df[list(COLUMNS)].itertuples(index=False, name=None))",
            ]
        self.need("operator", "itemgetter")
        if shape is InputShape.CSV:
            self.csv_parser()
        return [*self.as_dicts(), "    rows = [itemgetter(*COLUMNS)(row) for row in rows]"]

    @property
    def by_attrgetter(self) -> bool:
        """Whether attrgetter can read the columns: it reads "a.b" as obj.a.b."""
        return not any("." in n for n in self.names)

    def attributes(self, obj: str) -> str:
        """`obj`'s COLUMNS attributes as a tuple."""
        if not self.by_attrgetter:
            return f"tuple(getattr({obj}, c) for c in COLUMNS)"
        self.need("operator", "attrgetter")
        return f"attrgetter(*COLUMNS)({obj})"

    def shape_helpers(self) -> None:
        """Module-level helpers `as_dicts` needs."""
        if self.w.shape is InputShape.CSV:
            self.csv_parser()
        elif self.w.shape is not InputShape.DICTS:
            self.columns_constant()

    def json_dumper(self, indent: str) -> list[str]:
        """Lines that let psycopg send dicts to JSON columns; none when there are none."""
        if not any(c.base_type in JSON_TYPES for c in self.columns):
            return []
        self.need("psycopg.types.json", "JsonbDumper")
        return [
            f"{indent}# dicts go to JSON columns as jsonb (psycopg adapts no dict by itself)",
            f"{indent}cur.adapters.register_dumper(dict, JsonbDumper)",
        ]


_STDLIB = {
    *("asyncio", "collections", "csv", "datetime", "decimal", "io", "json", "operator"),
    *("re", "typing", "uuid"),
}
# A DataFrame's rows as Python values: pandas marks a missing value NaN, NaT or NA (and numpy
# types ride along); a driver sends NaN as a float, not as NULL.
FRAME_TO_PYTHON = [
    "    # pandas' missing values (NaN, NaT, NA) as None, numpy scalars as Python's",
    "    df = df.astype(object).where(df.notna(), None)",
]

_PARSE_ARRAY = r'''ARRAY_ITEM = re.compile(r'"((?:[^"\\]|\\.)*)"|([^,]+)')  # "quoted" or bare
ESCAPE = re.compile(r"\\(.)")


def parse_array(text: str, item: Callable[[str], Any] = str) -> list[Any]:
    """A one-dimensional array as PostgreSQL writes it: {a,"b c",NULL}."""
    return [
        None if bare == "NULL" else item(bare or ESCAPE.sub(r"\1", quoted))
        for quoted, bare in ARRAY_ITEM.findall(text[1:-1])
    ]'''


# TEXT stands for the lines that make a value text, for the element types the table has.


def _callable(template: str) -> str:
    """A parse template as a function: `int({})` -> `int`, else `lambda v: ...`."""
    head = template.removesuffix("({})")
    return head if head != template and "{}" not in head else f"lambda v: {template.format('v')}"


def _dict_entry(key: str, parts: list[str]) -> list[str]:
    """`"key": value,` in a dict display, wrapped as a formatter would when too long."""
    line = f"        {py_str(key)}: {' '.join(parts)},"
    if len(line) <= 79:
        return [line]
    inner = [" ".join(parts)] if len(" ".join(parts)) <= 79 - 12 else parts
    return [f"        {py_str(key)}: (", *(f"            {p}" for p in inner), "        ),"]


def _import_line(module: str, names: set[str]) -> str:
    if not names:
        return f"import {module}"
    line = f"from {module} import {', '.join(sorted(names))}"
    if len(line) <= 79:
        return line
    inner = "".join(f"    {name},\n" for name in sorted(names))
    return f"from {module} import (\n{inner})"
