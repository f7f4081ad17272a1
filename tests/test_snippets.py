"""Every snippet the rules can recommend compiles, and runs correctly on a real server."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.conninfo import make_conninfo

from advisor.advice.estimates import CONNECT_ROUND_TRIPS, round_trips
from advisor.advice.properties import usable
from advisor.bench.data.datagen import StandardData
from advisor.bench.server import Target, quote_ident
from advisor.bench.strategies.frames import pandas_frame
from advisor.snippets import BUILDERS, snippet
from advisor.snippets.code import TABLE, TABLE_DDL
from advisor.strategy_info import STRATEGIES, SYNC_IDS, Layer
from advisor.tables import STANDARD
from advisor.workload import InputShape, Workload
from tests.roundtrips import RoundTripCounter
from tests.snippet_util import (
    call_snippet,
    check_tidy,
    import_snippet,
    params,
    sampled,
    variant_id,
    variants,
    workload,
)

SCHEMA = "advisor_snippet_tests"  # ours alone, dropped at the end
ROWS = 25
VARIANTS = params(ROWS)


def test_every_strategy_has_a_snippet() -> None:
    assert set(BUILDERS) == set(STRATEGIES)
    assert {sid for sid in STRATEGIES if usable(sid, workload("dicts", False, False, ROWS))} == set(
        STRATEGIES
    )


@pytest.mark.parametrize(
    ("strategy", "head"),
    [
        ("asyncpg_copy", "async def insert_rows(conn: asyncpg.Connection, rows:"),
        ("async_orm_add_all", "async def insert_rows(engine: AsyncEngine, objs:"),
        ("psycopg_async_copy", "async def insert_rows(conn: psycopg.AsyncConnection, rows:"),
        ("pandas_copy", "async def insert_rows(engine: Engine, df: pd.DataFrame) -> None:"),
        ("adbc_ingest", "async def insert_rows(conn: Connection, df: pd.DataFrame) -> None:"),
    ],
)
def test_inside_an_event_loop_the_function_is_async(strategy: str, head: str) -> None:
    shape = "dataframe" if STRATEGIES[strategy].layer.value == "dataframe" else "tuples"
    shape = "objects" if strategy == "async_orm_add_all" else shape
    code = snippet(strategy, workload(shape, False, False, ROWS, asyncio=True))
    assert head in re.sub(r"\(\s+", "(", re.sub(r"\s+", " ", code)), code
    if "df: pd.DataFrame" in head:
        assert "await asyncio.to_thread(insert_frame, " in code, "blocking: off the loop"


@pytest.mark.parametrize(("strategy", "workload"), sampled(VARIANTS))
def test_snippet_is_tidy_python(strategy: str, workload: Workload) -> None:
    check_tidy(snippet(strategy, workload))


# --- running them -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def conninfo(dsn: str) -> Iterator[str]:
    """The server, with the search path on our own schema holding the standard table."""
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {quote_ident(SCHEMA)} CASCADE")
        admin.execute(f"CREATE SCHEMA {quote_ident(SCHEMA)}")
        admin.execute(f"SET search_path = {quote_ident(SCHEMA)}")
        admin.execute(TABLE_DDL)
        try:
            yield dsn
        finally:
            admin.execute(f"DROP SCHEMA {quote_ident(SCHEMA)} CASCADE")


def _session(dsn: str) -> str:
    """The connection string every library gets: our schema first, timestamps in UTC."""
    return make_conninfo(dsn, options=f"-c search_path={SCHEMA} -c TimeZone=UTC")


def _connect(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(_session(dsn))


def _expected(suffix: str, count: int = ROWS) -> list[tuple[Any, ...]]:
    """Standard rows (renamed by `suffix`) without their id: the database numbers them."""
    return [(r[1] + suffix, *r[2:]) for r in StandardData(seed=7).rows(0, count)]


def _columns() -> tuple[str, ...]:
    return STANDARD.insert_names[1:]


def _input(workload: Workload, rows: list[tuple[Any, ...]], ns: dict[str, Any], tmp: Path) -> Any:
    """The rows in the workload's shape, as the user's code would hold them."""
    names = _columns()
    dicts = [dict(zip(names, row, strict=True)) for row in rows]
    if workload.shape is InputShape.TUPLES:
        return rows
    if workload.shape is InputShape.DICTS:
        return dicts
    if workload.shape is InputShape.OBJECTS:
        make = ns.get("StandardRow", SimpleNamespace)  # a mapped class when the snippet has one
        return [make(**d) for d in dicts]
    if workload.shape is InputShape.DATAFRAME:
        return pandas_frame([c for c in STANDARD.columns if c.name in names], rows)
    path = tmp / "rows.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        for row in rows:
            writer.writerow(_csv_field(v) for v in row)
    return str(path)


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _truncate(conninfo: str) -> None:
    with _connect(conninfo) as conn:
        conn.execute(f"TRUNCATE {TABLE} RESTART IDENTITY")
        conn.commit()


def _stored(conninfo: str) -> tuple[list[tuple[Any, ...]], list[int]]:
    with _connect(conninfo) as conn:
        cols = ", ".join(_columns())
        rows = conn.execute(f"SELECT {cols}, id FROM {TABLE} ORDER BY id").fetchall()
    return [tuple(r[:-1]) for r in rows], [r[-1] for r in rows]


@pytest.mark.parametrize(("strategy", "workload"), sampled(VARIANTS))
def test_snippet_inserts_the_rows(
    strategy: str, workload: Workload, conninfo: str, tmp_path: Path
) -> None:
    _truncate(conninfo)
    ns = import_snippet(snippet(strategy, workload), tmp_path)
    function = ns["load_csv" if workload.shape is InputShape.CSV else "insert_rows"]
    passes = ("", " II") if workload.upsert else ("",)  # an upsert runs twice: then it updates
    returned: list[list[int]] = []
    for suffix in passes:
        rows = _expected(suffix)
        data = _input(workload, rows, ns, tmp_path)
        result = call_snippet(strategy, function, data, _session(conninfo))
        stored, ids = _stored(conninfo)
        assert sorted(stored, key=repr) == sorted(rows, key=repr)
        if workload.returning:
            assert sorted(result) == ids
            returned.append(sorted(result))
        else:
            assert result is None
    if workload.upsert and workload.returning:
        assert returned[0] == returned[1]  # the second pass updated the same rows


DICT_STRATEGIES = [sid for sid in BUILDERS if usable(sid, workload("dicts", False, False, ROWS))]


@pytest.mark.parametrize("strategy", DICT_STRATEGIES)
def test_standard_snippet_takes_dicts_without_ids_and_the_identity_advances(
    strategy: str, conninfo: str, tmp_path: Path
) -> None:
    """Dicts from an API carry no id: the database numbers them, so a second batch and a
    plain INSERT afterwards get fresh ids instead of colliding."""
    with _connect(conninfo) as conn:
        conn.execute(f"TRUNCATE {TABLE} RESTART IDENTITY")
        conn.commit()
    code = snippet(strategy, workload("dicts", False, False, ROWS))
    assert "id is numbered by the database" in code, "the snippet says who makes the ids"
    insert_rows = import_snippet(code, tmp_path)["insert_rows"]
    data = StandardData(seed=7)
    for start in (0, ROWS):  # two batches of different rows, as an API hands them out
        rows = [dict(zip(STANDARD.insert_names, r, strict=True)) for r in data.rows(start, ROWS)]
        for row in rows:
            del row["id"]
        call_snippet(strategy, insert_rows, rows, _session(conninfo))
    with _connect(conninfo) as conn:
        conn.execute(
            f"INSERT INTO {TABLE} (name, email, active, created_at)"
            " VALUES ('later', 'later@example.com', true, now())"
        )
        ids = [r[0] for r in conn.execute(f"SELECT id FROM {TABLE} ORDER BY id")]
    assert ids == list(range(1, 2 * ROWS + 2))


# --- the round trips the estimate charges are the snippet's -------------------------------

ROUND_TRIP_ROWS = 1_500  # two pages of insertmanyvalues, 150 ORM bulk batches


def _one_per_statement_pattern(rows: int) -> list[Any]:
    """A variant for each strategy, RETURNING and upsert, and CSV or not: the input shape
    changes only how the rows are built in Python, not what goes to the server."""
    seen: set[tuple[str, bool, bool, bool]] = set()
    chosen = []
    for sid, w in variants(rows):
        # the model's round trips are the seed article's eight's; the others' are counted
        # by their own libraries' protocols, which the estimate does not model per call
        if sid not in SYNC_IDS or w.shape is InputShape.DATAFRAME or w.asyncio:
            continue
        pattern = (sid, w.returning, w.upsert, w.shape is InputShape.CSV)
        if pattern not in seen:
            seen.add(pattern)
            chosen.append(pytest.param(sid, w, id=variant_id(sid, w)))
    return chosen


ROUND_TRIP_VARIANTS = _one_per_statement_pattern(ROUND_TRIP_ROWS)


@pytest.mark.parametrize(("strategy", "workload"), ROUND_TRIP_VARIANTS)
def test_snippet_waits_for_the_round_trips_the_estimate_charges(
    strategy: str, workload: Workload, conninfo: str, target: Target, tmp_path: Path
) -> None:
    """Counted on the wire from the call to its return, on a fresh connection or engine
    (connecting, which the model charges separately, is done first). This is what makes
    `--rtt-ms` right for the code the user is given, RETURNING, upserts and CSV included."""
    _truncate(conninfo)
    ns = import_snippet(snippet(strategy, workload), tmp_path)
    data = _input(workload, _expected("", ROUND_TRIP_ROWS), ns, tmp_path)
    with RoundTripCounter(target) as counter:
        proxied = counter.target.dsn
        engine = sa.create_engine(
            "postgresql+psycopg://", creator=lambda: _connect(proxied), pool_size=1
        )
        try:
            with engine.connect():
                pass  # connected, and SQLAlchemy's first-connect queries are done
            with _connect(proxied) as conn:  # used by the driver snippets only
                before = counter.round_trips
                function = ns["load_csv" if workload.shape is InputShape.CSV else "insert_rows"]
                function(conn if STRATEGIES[strategy].layer is Layer.DRIVER else engine, data)
                counted = counter.round_trips - before
        finally:
            engine.dispose()
    assert len(_stored(conninfo)[0]) == ROUND_TRIP_ROWS
    model = round_trips(strategy, workload) - CONNECT_ROUND_TRIPS
    # exact but for the ORM bulk paths, whose batches follow where the NULLs happen to be
    assert counted == pytest.approx(model, rel=0.15), (counted, model)
