"""The parts of a recommendation around the pick: warnings, alternatives, time per year."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.advice.conversions import an_input
from advisor.advice.ladders import CLARITY, LAYER_SAVING_S, LAYER_SAVING_SHARE, candidate, worth
from advisor.advice.properties import LEGACY, hard_limits, hard_text, soft, usable
from advisor.advice.recommendation import Alternative, Cadence
from advisor.strategy_info import ALL_IDS, STRATEGIES, Layer
from advisor.units import counted, format_rate
from advisor.units import format_seconds as fs
from advisor.workload import CONTINUOUS_BATCH_S, Correctness, Frequency, InputShape, Workload

if TYPE_CHECKING:
    from advisor.advice.estimates import Estimate
    from advisor.advice.rules import Decider

MULTI_MILLION = 1_000_000
LATENCY_SHARE_WARNING = 0.25  # warn when waiting on the network is this much of a run
SAME_SPEED = 0.02  # estimates closer than this share are "about as fast"


def warnings(d: Decider, pick: str) -> list[str]:
    w = d.w
    layer = STRATEGIES[pick].layer
    estimate = d.est(pick)
    out = []
    if estimate.conversion is not None:
        takes = an_input(estimate.conversion.target)
        out.append(
            f"Mismatched abstractions: {pick} takes {takes}, so the rows "
            f"are converted ({estimate.conversion.describe()}): "
            f"{fs(estimate.convert_s)} per run, included in the estimate."
        )
    if w.shape is InputShape.TUPLES and layer is Layer.ORM:
        out.append(
            "The ORM fed tuples is awkward and brittle (positions must match attributes): "
            "map each tuple to its columns once, at the boundary, as the snippet does."
        )
    if "bypasses_uow" in soft(pick, w):
        why = (
            f"for {_asked(w)}" if _asked(w) and not d.left_for_deadline else "to meet the deadline"
        )
        out.append(
            f"correctness: high, yet {pick} bypasses the unit of work ({why}): no "
            "relationship cascades, no ORM events, no per-object validation; validate the "
            "rows before the insert."
        )
    if pick in LEGACY:
        out.append(
            f"{pick} is legacy in SQLAlchemy 2.x: it still works and takes the objects as "
            f"they are; its successor, {LEGACY[pick]} (session.execute(insert(Model), dicts)), "
            "takes dicts."
        )
    if pick in ("orm_bulk_insert", "orm_bulk_save_objects") and w.correctness is Correctness.LOW:
        out += _orm_bulk_in_etl(d, pick)
    if w.correctness is Correctness.HIGH and layer is Layer.ORM:
        out += _cost_of_correctness(d, pick)
    if pick in ("driver_copy", "psycopg_async_copy") and (w.upsert or w.returning):
        out.append(
            "COPY has no ON CONFLICT and returns no ids: the snippet copies into a staging "
            "table, then runs INSERT ... SELECT; the estimate covers the COPY only."
        )
    if (w.upsert or w.returning) and w.rows >= MULTI_MILLION and pick not in ("driver_copy",):
        clause = " and ".join(
            c for f, c in ((w.upsert, "ON CONFLICT"), (w.returning, "RETURNING")) if f
        )
        out.append(
            f"At this volume the bulk route is COPY into a staging table, then INSERT ... "
            f"SELECT ... {clause}; bench it on your data (advisor bench"
            f"{' --upsert' if w.upsert else ''}{' --returning' if w.returning else ''})."
        )
    if pick in ("driver_copy_binary", "asyncpg_copy", "psycopg_async_copy"):
        out.append(
            "Binary COPY needs exact column types: ints for bigint, floats for double "
            "precision, aware datetimes for timestamptz; one mismatch fails the whole load."
        )
    # For whoever writes the DataFrame insert: a pick in another layer (the ORM for
    # correctness high) leaves to_sql aside, and its row in the alternatives says why not.
    if (
        layer is Layer.DATAFRAME
        and w.shape is InputShape.DATAFRAME
        and usable("pandas_to_sql_multi", w)
    ):
        multi, plain = d.seconds("pandas_to_sql_multi"), d.seconds("pandas_to_sql")
        if multi > plain:
            out.append(
                f'Avoid to_sql(method="multi"), often advised as faster: here it takes '
                f"{fs(multi)} against {fs(plain)} for the default (every multi-row VALUES "
                "chunk is parsed and planned anew); a COPY method is the fast path."
            )
    if w.asyncio and layer is Layer.DATAFRAME:
        out.append(
            "Blocking call: run it off the event loop, e.g. await asyncio.to_thread("
            "insert_rows, engine, df), or requests stall while it runs."
        )
    if w.rtt_ms > 0 and estimate.latency_s >= LATENCY_SHARE_WARNING * estimate.seconds:
        out.append(
            f"network: {fs(estimate.latency_s)} of the {fs(estimate.seconds)} per run is "
            f"waiting on {estimate.round_trips:,} round trips of {w.rtt_ms:g} ms; pipelined "
            "executemany and COPY wait least."
        )
    if d.deadline_missed:
        fastest = min((s for s in CLARITY if candidate(s, w)), key=d.seconds)
        out.append(
            f"No strategy meets the deadline: the fastest usable one, {fastest}, needs about "
            f"{fs(d.seconds(fastest))} per run."
        )
    return out


def _asked(w: Workload) -> str:
    return " and ".join(k for f, k in ((w.upsert, "ON CONFLICT"), (w.returning, "RETURNING")) if f)


def _fastest_driver(d: Decider) -> str | None:
    rungs = d.ladder(Layer.DRIVER)
    return min(rungs, key=d.seconds) if rungs else None


def _orm_bulk_in_etl(d: Decider, pick: str) -> list[str]:
    if d.w.frequency is Frequency.ONCE or (driver := _fastest_driver(d)) is None:
        return []
    # Only ever said of an ORM pick: converting here did not pay (else the driver is the pick).
    before, converted = d.seconds(pick), d.seconds(driver)
    return [
        f"Mismatched abstractions: ORM bulk inside an ETL pipeline is wasted overhead; with "
        f"correctness low the objects buy nothing. Emitted as tuples upstream, {driver} "
        f"would take {fs(d.est(driver).insert_s)} instead of {fs(before)}; converting the "
        f"objects here ({fs(converted)} in all) saves {fs(before - converted)} a run, not "
        f"enough to leave the shape your rows are in ({fs(LAYER_SAVING_S)} and half the run)."
    ]


def _cost_of_correctness(d: Decider, pick: str) -> list[str]:
    """What keeping the unit of work costs, when a lower layer would save a lot."""
    driver = _fastest_driver(d)
    if driver is None or not worth(
        d.seconds(pick), d.seconds(driver), LAYER_SAVING_S, LAYER_SAVING_SHARE
    ):
        return []
    return [
        f"correctness: high keeps the ORM at a price: {driver} would take "
        f"{fs(d.seconds(driver))} instead of {fs(d.seconds(pick))} per run, if the rules "
        "could be checked before the insert."
    ]


def alternatives(d: Decider, pick: str) -> list[Alternative]:
    out = [
        Alternative(
            strategy=sid,
            layer=STRATEGIES[sid].layer,
            estimate_s=d.seconds(sid),
            usable=usable(sid, d.w),
            why_not=why_not(d, sid, pick),
        )
        for sid in ALL_IDS
        if sid != pick
    ]
    # The ones that can do the job first, fastest first; then the ones that cannot.
    return sorted(out, key=lambda a: (not a.usable, a.estimate_s))


def why_not(d: Decider, sid: str, pick: str) -> str:
    """Only what `sid` lacks or costs that `pick` does not, then how fast it is."""
    w = d.w
    clauses = [hard_text(h, sid) for h in hard_limits(sid, w)]
    mine_soft = soft(pick, w)
    clauses += [text for key, text in soft(sid, w).items() if key not in mine_soft]
    mine, theirs = d.seconds(pick), d.seconds(sid)
    if abs(theirs - mine) <= SAME_SPEED * mine:
        clauses.append(f"about as fast ({fs(theirs)} per run against {fs(mine)})")
    elif theirs < mine:
        saving = f"{fs(mine - theirs)} faster per run ({fs(mine)} → {fs(theirs)})"
        clauses.append(saving if clauses else f"{saving}: not enough to give up {pick}'s clarity")
    else:
        clauses.append(f"slower: {fs(theirs)} per run against {fs(mine)}")
    return "; ".join(clauses)


def cadence(w: Workload, estimate: Estimate) -> Cadence:
    runs = w.runs_per_year
    seconds = estimate.seconds
    if w.frequency is not Frequency.CONTINUOUS:
        how = {
            Frequency.ONCE: "once: a single run",
            Frequency.DAILY: "daily: 365 runs a year",
            Frequency.HOURLY: "hourly: 8,760 runs a year",
        }[w.frequency]
        return Cadence(runs, runs * seconds, how)
    headroom = CONTINUOUS_BATCH_S / seconds
    how = (
        f"continuous: a steady stream, taken as one batch of {counted(w.rows, 'row')} a minute "
        f"({runs:,} a year, {format_rate(w.rows / CONTINUOUS_BATCH_S)} arriving); a batch "
        f"takes {fs(seconds)}, so it sustains {format_rate(w.rows / seconds)}, "
        f"{headroom:.3g}× the arrival rate"
    )
    return Cadence(runs, runs * seconds, how, headroom)
