"""Every snippet the rules can recommend compiles, and runs correctly on a real server."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from advisor.advice.estimates import CONNECT_ROUND_TRIPS, round_trips
from advisor.advice.rules import usable
from advisor.bench.data.datagen import StandardData
from advisor.bench.server import Target, quote_ident
from advisor.snippets import BUILDERS, snippet
from advisor.snippets.code import TABLE, TABLE_DDL
from advisor.strategy_info import STRATEGIES
from advisor.tables import STANDARD
from advisor.workload import InputShape, Workload
from tests.roundtrips import RoundTripCounter
from tests.snippet_util import (
    call_snippet,
    check_tidy,
    import_snippet,
    params,
    shaped,
    variant_id,
    variants,
    workload,
)

SCHEMA = "advisor_snippet_tests"  # ours alone, dropped at the end
ROWS = 25
VARIANTS = params(ROWS)


def test_every_recommendable_strategy_has_a_snippet() -> None:
    assert set(BUILDERS) == {
        sid for sid in STRATEGIES if usable(sid, workload("dicts", False, False, ROWS))
    }


@pytest.mark.parametrize(("strategy", "workload"), VARIANTS)
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


def _connect(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, options=f"-c search_path={SCHEMA} -c TimeZone=UTC")


@pytest.fixture(scope="module")
def engine(conninfo: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(
        "postgresql+psycopg://", creator=lambda: _connect(conninfo), poolclass=sa.NullPool
    )
    yield engine
    engine.dispose()


def _expected(workload: Workload, suffix: str, count: int = ROWS) -> list[tuple[Any, ...]]:
    """Standard rows (renamed by `suffix`), without the id when the database makes it."""
    rows = [(r[0], r[1] + suffix, *r[2:]) for r in StandardData(seed=7).rows(0, count)]
    return [r[1:] for r in rows] if workload.returning else rows


def _columns(workload: Workload) -> tuple[str, ...]:
    names = STANDARD.insert_names
    return names[1:] if workload.returning else names


def _input(workload: Workload, rows: list[tuple[Any, ...]], ns: dict[str, Any], tmp: Path) -> Any:
    """The rows in the workload's shape, as the user's code would hold them."""
    names = _columns(workload)

    def csv_file() -> str:
        path = tmp / "rows.csv"
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(names)
            for row in rows:
                writer.writerow(_csv_field(v) for v in row)
        return str(path)

    # a mapped class when the snippet has one
    return shaped(workload, names, rows, ns.get("StandardRow", SimpleNamespace), csv_file)


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


def _stored(conninfo: str, workload: Workload) -> tuple[list[tuple[Any, ...]], list[int]]:
    with _connect(conninfo) as conn:
        cols = ", ".join(_columns(workload))
        rows = conn.execute(f"SELECT {cols}, id FROM {TABLE} ORDER BY id").fetchall()
    return [tuple(r[:-1]) for r in rows], [r[-1] for r in rows]


@pytest.mark.parametrize(("strategy", "workload"), VARIANTS)
def test_snippet_inserts_the_rows(
    strategy: str, workload: Workload, conninfo: str, engine: sa.Engine, tmp_path: Path
) -> None:
    _truncate(conninfo)
    ns = import_snippet(snippet(strategy, workload), tmp_path)
    passes = ("", " II") if workload.upsert else ("",)  # an upsert runs twice: then it updates
    returned: list[list[int]] = []
    for suffix in passes:
        rows = _expected(workload, suffix)
        data = _input(workload, rows, ns, tmp_path)
        result = call_snippet(ns, strategy, workload, data, lambda: _connect(conninfo), engine)
        stored, ids = _stored(conninfo, workload)
        assert sorted(stored, key=repr) == sorted(rows, key=repr)
        if workload.returning:
            assert sorted(result) == ids
            returned.append(sorted(result))
        else:
            assert result is None
    if workload.upsert and workload.returning:
        assert returned[0] == returned[1]  # the second pass updated the same rows


# --- the round trips the estimate charges are the snippet's -------------------------------

ROUND_TRIP_ROWS = 1_500  # two pages of insertmanyvalues, 150 ORM bulk batches


def _one_per_statement_pattern(rows: int) -> list[Any]:
    """A variant for each strategy, RETURNING and upsert, and CSV or not: the input shape
    changes only how the rows are built in Python, not what goes to the server."""
    seen: set[tuple[str, bool, bool, bool]] = set()
    chosen = []
    for sid, w in variants(rows):
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
    data = _input(workload, _expected(workload, "", ROUND_TRIP_ROWS), ns, tmp_path)
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
                call_snippet(ns, strategy, workload, data, lambda: conn, engine)
                counted = counter.round_trips - before
        finally:
            engine.dispose()
    assert len(_stored(conninfo, workload)[0]) == ROUND_TRIP_ROWS
    model = round_trips(strategy, workload) - CONNECT_ROUND_TRIPS
    # exact but for the ORM bulk paths, whose batches follow where the NULLs happen to be
    assert counted == pytest.approx(model, rel=0.15), (counted, model)
