"""What turning the user's rows into a strategy's native input costs.

The seed article's rule "don't mismatch abstractions" has a price tag: a strategy fed another
shape than its own pays a conversion per row (attribute reads, dict building, instrumented
ORM construction, CSV parsing). The advice charges it to the strategy, so a faster layer is
chosen only when it is faster with the conversion included.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.strategy_info import STRATEGIES, Shape
from advisor.workload import InputShape

# Nanoseconds per standard row (six columns), printed by scripts/measure_conversions.py.
CONVERSION_SOURCE = (
    "conversions measured by scripts/measure_conversions.py: 100k standard rows, CPython "
    "3.11, 2-CPU x86_64 VM, 2026-11-30"
)
NS_PER_ROW: dict[tuple[InputShape, InputShape], float] = {
    (InputShape.OBJECTS, InputShape.TUPLES): 3428,
    (InputShape.OBJECTS, InputShape.DICTS): 8305,
    (InputShape.DICTS, InputShape.TUPLES): 1723,
    (InputShape.TUPLES, InputShape.DICTS): 4649,
    (InputShape.DICTS, InputShape.OBJECTS): 53355,
    (InputShape.TUPLES, InputShape.OBJECTS): 58075,
    (InputShape.CSV, InputShape.TUPLES): 7036,
    (InputShape.DATAFRAME, InputShape.TUPLES): 8638,
    (InputShape.DATAFRAME, InputShape.DICTS): 23515,
    (InputShape.TUPLES, InputShape.DATAFRAME): 2402,
}
# How the conversion is written, for the reasons and the snippets' comments.
HOW: dict[tuple[InputShape, InputShape], str] = {
    (InputShape.OBJECTS, InputShape.TUPLES): "attrgetter per object",
    (InputShape.OBJECTS, InputShape.DICTS): "a dict of each object's attributes",
    (InputShape.DICTS, InputShape.TUPLES): "itemgetter per dict",
    (InputShape.TUPLES, InputShape.DICTS): "dict(zip(columns, row))",
    (InputShape.DICTS, InputShape.OBJECTS): "Model(**row)",
    (InputShape.TUPLES, InputShape.OBJECTS): "Model(**dict(zip(columns, row)))",
    (InputShape.CSV, InputShape.TUPLES): "csv.reader and a parse per column",
    (InputShape.DATAFRAME, InputShape.TUPLES): "DataFrame.itertuples(index=False, name=None)",
    (InputShape.DATAFRAME, InputShape.DICTS): 'DataFrame.to_dict("records")',
    (InputShape.TUPLES, InputShape.DATAFRAME): "pandas.DataFrame(rows, columns=...)",
}

# How sentences name each shape's rows, and whether the name is a plural (a DataFrame is one).
NOUN: dict[InputShape, tuple[str, bool]] = {
    InputShape.OBJECTS: ("objects", True),
    InputShape.DICTS: ("dicts", True),
    InputShape.TUPLES: ("tuples", True),
    InputShape.CSV: ("CSV rows", True),
    InputShape.DATAFRAME: ("DataFrame", False),
}


def the_rows(shape: InputShape) -> str:
    """The user's rows in a sentence: `dicts`, `CSV rows`, `the DataFrame`."""
    noun, plural = NOUN[shape]
    return noun if plural else f"the {noun}"


def your_rows_become(shape: InputShape) -> str:
    """`your dicts become`, `your DataFrame becomes`."""
    noun, plural = NOUN[shape]
    return f"your {noun} {'become' if plural else 'becomes'}"


def an_input(shape: InputShape) -> str:
    """A strategy's input in a sentence: `tuples`, `objects`, `a DataFrame`."""
    noun, plural = NOUN[shape]
    return noun if plural else f"a {noun}"


_NEEDS = {
    Shape.OBJECTS: InputShape.OBJECTS,
    Shape.DICTS: InputShape.DICTS,
    Shape.TUPLES: InputShape.TUPLES,
    # pandas, polars and Arrow trade columns without copying rows (measured: 20-30 ns a row).
    Shape.PANDAS: InputShape.DATAFRAME,
    Shape.POLARS: InputShape.DATAFRAME,
    Shape.ARROW: InputShape.DATAFRAME,
}
# Strategies that read a CSV file as it is (COPY ... FORMAT csv).
READS_CSV = frozenset({"driver_copy", "psycopg_async_copy", "psycopg2_copy_expert"})


@dataclass(frozen=True)
class Conversion:
    """The steps from the user's shape to a strategy's input, and their cost per row."""

    steps: tuple[tuple[InputShape, InputShape], ...]

    @property
    def ns_per_row(self) -> float:
        return sum(NS_PER_ROW[step] for step in self.steps)

    def seconds(self, rows: int) -> float:
        return self.ns_per_row * rows / 1e9

    @property
    def target(self) -> InputShape:
        return self.steps[-1][1]

    def describe(self) -> str:
        """`dicts -> tuples (itemgetter per dict)`, step by step."""
        return "; ".join(f"{a} → {b} ({HOW[(a, b)]})" for a, b in self.steps)


def needs(strategy: str) -> InputShape:
    """The shape of rows a strategy takes, in the questionnaire's terms."""
    return _NEEDS[STRATEGIES[strategy].shape]


def conversion(shape: InputShape, strategy: str) -> Conversion | None:
    """What feeding `strategy` rows of `shape` takes; None when it takes them as they are."""
    target = needs(strategy)
    if shape is target or (shape is InputShape.CSV and strategy in READS_CSV):
        return None
    if (shape, target) in NS_PER_ROW:
        return Conversion(((shape, target),))
    # No direct measurement: through tuples, the shape every other one converts to and from.
    first = (shape, InputShape.TUPLES)
    return Conversion((first, (InputShape.TUPLES, target)))
