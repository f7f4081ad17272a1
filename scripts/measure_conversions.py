"""Measure what turning rows from one shape into another costs, per row, on this machine.

The advice charges these conversions to a strategy whose native input is not the user's
shape (advisor/advice/conversions.py holds the figures this script printed, with the date
and machine). Standard rows (six columns), 100k at a time, median of 5 after a warmup; no
database is involved. Usage: python scripts/measure_conversions.py [ROWS]
"""

from __future__ import annotations

import csv
import io
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from operator import attrgetter, itemgetter
from typing import Any

from advisor.bench.data.datagen import StandardData
from advisor.tables import STANDARD


def _model() -> Any:
    from sqlalchemy import BigInteger, Boolean, Column, DateTime, Float, String
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass

    class Row(Base):
        __tablename__ = "standard_rows"
        id = Column(BigInteger, primary_key=True)
        name = Column(String)
        email = Column(String)
        score = Column(Float)
        active = Column(Boolean)
        created_at = Column(DateTime(timezone=True))

    return Row


def _time(fn: Callable[[], object], repeat: int = 5) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    rows_n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    names = [c.name for c in STANDARD.columns]
    tuples = StandardData(42).rows(0, rows_n)
    dicts = [dict(zip(names, r, strict=True)) for r in tuples]
    model = _model()
    objects = [model(**d) for d in dicts]
    frame = pd.DataFrame(tuples, columns=names)
    buf = io.StringIO()
    csv.writer(buf).writerows(tuples)
    text = buf.getvalue()
    get_obj, get_dict = attrgetter(*names), itemgetter(*names)

    def parse_csv() -> list[tuple[Any, ...]]:
        return [
            (int(a), b, c, float(d) if d else None, e == "True", datetime.fromisoformat(f))
            for a, b, c, d, e, f in csv.reader(io.StringIO(text))
        ]

    cases: dict[str, Callable[[], object]] = {
        "objects->tuples": lambda: [get_obj(o) for o in objects],
        "objects->dicts": lambda: [{n: getattr(o, n) for n in names} for o in objects],
        "dicts->tuples": lambda: [get_dict(d) for d in dicts],
        "tuples->dicts": lambda: [dict(zip(names, r, strict=True)) for r in tuples],
        "dicts->objects": lambda: [model(**d) for d in dicts],
        "tuples->objects": lambda: [model(**dict(zip(names, r, strict=True))) for r in tuples],
        "csv->tuples": parse_csv,
        "dataframe->tuples": lambda: list(frame.itertuples(index=False, name=None)),
        "dataframe->dicts": lambda: frame.to_dict("records"),
        "dataframe->arrow": lambda: pa.Table.from_pandas(frame, preserve_index=False),
        "dataframe->polars": lambda: pl.from_pandas(frame),
        "tuples->dataframe": lambda: pd.DataFrame(tuples, columns=names),
    }
    print(
        f"# {rows_n:,} standard rows, median of 5 after a warmup; {date.today()} on "
        f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}, "
        f"{datetime.now(UTC):%H:%M} UTC"
    )
    for name, fn in cases.items():
        seconds = _time(fn)
        print(f'    "{name}": {seconds / rows_n * 1e9:.0f},  # ns per row')


if __name__ == "__main__":
    main()
