"""Workload -> Recommendation: the seed article's rule-of-thumb matrix as an explainable decision.

Pure and deterministic: no I/O, no database. Each step adds a reason that names the answer
behind it ("volume: 2,000,000 rows per run — ...").

1. Layer, from the seed article's layer table: correctness high -> ORM (building an application);
   rows that already are ORM objects stay in the ORM; CSV goes to the driver (COPY reads
   CSV); medium -> Core (moving or transforming data); low -> driver (pushing limits).
2. Strategy, from the purpose table: each layer is a ladder from its clearest strategy to
   its fastest, and the next rung is taken only when it saves BULK_SAVING_S and
   BULK_SAVING_SHARE of the run. That is the seed article's "clarity beats marginal gains":
   shaving 300 ms off a 10 s insert is not worth it, and a 500-row job never reaches COPY.
3. Leaving the layer (never when correctness is high): multi-million-row loads go to the
   driver layer, where COPY lives; otherwise a lower layer must save LAYER_SAVING_S and
   LAYER_SAVING_SHARE of the run, as it brings new code and a second mental model.
4. A deadline (budget_s, or the minute between batches of a continuous stream) that the
   choice cannot meet hands over to the clearest strategy that can.
Then the warnings: mismatched abstractions, COPY's limits, binary types, network waits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from advisor.advice.estimates import Estimate, Estimator, Measurement
from advisor.advice.purposes import PURPOSE, TRADE_OFFS
from advisor.advice.recommendation import Alternative, Cadence, Recommendation
from advisor.snippets import snippet
from advisor.snippets.table import STANDARD_TABLE, SnippetTable, table_warnings
from advisor.strategy_info import ALL_IDS, STRATEGIES, Layer
from advisor.units import format_rate
from advisor.units import format_seconds as fs
from advisor.workload import (
    CONTINUOUS_BATCH_S,
    QUESTION_BY_KEY,
    Correctness,
    Frequency,
    InputShape,
    Workload,
)

BULK_SAVING_S = 1.0  # a faster strategy of the same layer must save this much per run...
BULK_SAVING_SHARE = 0.2  # ...and this share of the run
LAYER_SAVING_S = 10.0  # a lower layer must save this much per run...
LAYER_SAVING_SHARE = 0.5  # ...and at least halve the run
MULTI_MILLION = 1_000_000
LATENCY_SHARE_WARNING = 0.25  # warn when waiting on the network is this much of a run

LEGACY = {"orm_bulk_save_objects": "orm_bulk_insert"}  # legacy id -> its successor
# Clearest first: where a missed deadline looks for a strategy that fits.
CLARITY = (
    "orm_add_all",
    "orm_bulk_insert",
    "core_execute",
    "driver_executemany",
    "driver_copy",
    "driver_unnest",
    "driver_copy_binary",
)
LAYERS = (Layer.ORM, Layer.CORE, Layer.DRIVER)


def recommend(
    workload: Workload,
    measured: Sequence[Measurement] | None = None,
    table: SnippetTable = STANDARD_TABLE,
) -> Recommendation:
    """The advice for `workload`, estimated from reference figures or the user's bench, with
    a snippet written for `table` (what the table cannot do is added to the warnings)."""
    estimator = Estimator(measured or ())
    decider = _Decider(workload, estimator)
    pick = decider.choose()
    if workload.rtt_ms > 0:
        local = _Decider(replace(workload, rtt_ms=0.0), estimator).choose()
        if local != pick:
            decider.network_changed(local, pick)
    estimate = decider.est(pick)
    return Recommendation(
        workload=workload,
        layer=STRATEGIES[pick].layer,
        strategy=pick,
        reasons=tuple(decider.reasons),
        trade_offs=TRADE_OFFS[pick],
        warnings=tuple(
            _warnings(decider, pick) + table_warnings(table, workload, STRATEGIES[pick].layer)
        ),
        alternatives=tuple(_alternatives(decider, pick)),
        estimate_s=estimate.seconds,
        estimate_source=estimator.source,
        per_year=_cadence(workload, estimate),
        snippet=snippet(pick, workload, table),
        table=table.name,
    )


def worth(before_s: float, after_s: float, min_s: float, min_share: float) -> bool:
    """Whether going from `before_s` to `after_s` per run saves enough to pay for itself."""
    saved = before_s - after_s
    return saved >= min_s and saved >= min_share * before_s


def usable(strategy: str, w: Workload) -> bool:
    """Whether `strategy` can do what the answers ask (legacy APIs never qualify)."""
    if strategy in LEGACY:
        return False
    if strategy == "orm_add_all":
        return not w.upsert
    if strategy == "driver_copy":  # a CSV goes through a staging table for both
        return w.shape is InputShape.CSV or not (w.upsert or w.returning)
    if strategy == "driver_copy_binary":
        return w.shape is not InputShape.CSV and not (w.upsert or w.returning)
    return True


class _Decider:
    """One decision: the answers, the estimates, and the reasons gathered on the way."""

    def __init__(self, w: Workload, estimator: Estimator) -> None:
        self.w = w
        self.estimator = estimator
        self.reasons: list[str] = []
        self.deadline_missed = False
        self._estimates: dict[str, Estimate] = {}

    def est(self, strategy: str) -> Estimate:
        if strategy not in self._estimates:
            self._estimates[strategy] = self.estimator.estimate(strategy, self.w)
        return self._estimates[strategy]

    def seconds(self, strategy: str) -> float:
        return self.est(strategy).seconds

    def answer(self, key: str) -> str:
        """How a reason names an answer: `volume: 2,000,000 rows per run`."""
        w = self.w
        per = "per batch" if w.frequency is Frequency.CONTINUOUS else "per run"
        values = {
            "shape": str(w.shape),
            "rows": f"{w.rows:,} rows {per}",
            "correctness": str(w.correctness),
            "frequency": str(w.frequency),
            "returning": "ids needed back",
            "upsert": "ON CONFLICT needed",
            "budget_s": f"{fs(w.budget_s or 0)} per run",
            "rtt_ms": f"{w.rtt_ms:g} ms round trip",
        }
        return f"{QUESTION_BY_KEY[key].reason_label}: {values[key]}"

    def say(self, key: str, text: str) -> None:
        self.reasons.append(f"{self.answer(key)} — {text}")

    # --- the steps ----------------------------------------------------------------------

    def choose(self) -> str:
        layer = self.natural_layer()
        ladder, notes = self.ladder(layer)
        pick, steps = self.walk(ladder)
        self.reasons += notes + steps
        if self.w.correctness is not Correctness.HIGH:
            pick = self.leave_layer(layer, pick)
        return self.meet_deadline(pick)

    def natural_layer(self) -> Layer:
        w = self.w
        if w.correctness is Correctness.HIGH:
            self.say(
                "correctness",
                "validation, relationships and business rules must run: build it like an "
                "application, in the ORM",
            )
            return Layer.ORM
        if w.shape is InputShape.OBJECTS:
            self.say(
                "shape",
                "the rows already are ORM objects, so stay in the ORM: feeding Core ORM "
                "objects costs a conversion per row",
            )
            return Layer.ORM
        if w.shape is InputShape.CSV:
            self.say(
                "shape",
                "COPY reads CSV natively (FORMAT csv): the file streams to the server with no "
                "parsing in Python",
            )
            return Layer.DRIVER
        if w.correctness is Correctness.MEDIUM:
            self.say(
                "correctness",
                "typed, consistent data without business rules in Python: moving or "
                "transforming data is Core's job (light abstraction)",
            )
            return Layer.CORE
        self.say(
            "correctness",
            "trusted rows where speed matters most: pushing performance limits is the driver's job",
        )
        return Layer.DRIVER

    def ladder(self, layer: Layer) -> tuple[list[str], list[str]]:
        """The layer's usable strategies, clearest first, and the reasons that shaped it."""
        w = self.w
        notes = []
        if layer is Layer.ORM:
            if w.upsert:
                notes.append(
                    f"{self.answer('upsert')} — orm_add_all cannot express ON CONFLICT "
                    "(session.merge() costs a SELECT per row and races); ORM bulk INSERT "
                    "with on_conflict_do_update stays in the session"
                )
                return ["orm_bulk_insert"], notes
            if w.returning:
                notes.append(
                    f"{self.answer('returning')} — the ORM fills in generated ids at flush "
                    "(INSERT ... RETURNING)"
                )
            if w.correctness is Correctness.HIGH:
                return ["orm_add_all"], notes
            return ["orm_add_all", "orm_bulk_insert"], notes
        if layer is Layer.CORE:
            return ["core_execute"], notes
        if w.shape is InputShape.CSV:
            for key, clause in (("upsert", "ON CONFLICT"), ("returning", "RETURNING")):
                if getattr(w, key):
                    notes.append(
                        f"{self.answer(key)} — COPY has neither ON CONFLICT nor RETURNING: "
                        f"COPY the file into a staging table, then INSERT ... SELECT ... "
                        f"{clause}"
                    )
            return ["driver_copy"], notes
        if w.upsert or w.returning:
            key = "upsert" if w.upsert else "returning"
            notes.append(
                f"{self.answer(key)} — COPY has no ON CONFLICT and returns no ids: an INSERT "
                "that keeps both (pipelined executemany, or unnest)"
            )
            return ["driver_executemany", "driver_unnest"], notes
        if w.correctness is Correctness.LOW:
            return ["driver_executemany", "driver_copy", "driver_copy_binary"], notes
        return ["driver_executemany", "driver_copy"], notes

    def walk(self, ladder: Sequence[str]) -> tuple[str, list[str]]:
        """Climb the ladder while each rung pays for itself; the reasons say why it stopped."""
        volume = self.answer("rows")
        pick = ladder[0]
        if len(ladder) == 1:
            return pick, [f"{volume} — {pick}: {PURPOSE[pick]} (about {fs(self.seconds(pick))})"]
        notes = []
        for rung in ladder[1:]:
            before, after = self.seconds(pick), self.seconds(rung)
            if worth(before, after, BULK_SAVING_S, BULK_SAVING_SHARE):
                notes.append(
                    f"{volume} — {rung} saves {fs(before - after)} per run over {pick} "
                    f"({fs(before)} → {fs(after)}): {PURPOSE[rung]}"
                )
                pick = rung
                continue
            gain = (
                f"would save only {fs(before - after)} per run ({fs(before)} → {fs(after)})"
                if after < before
                else f"would be no faster ({fs(after)} against {fs(before)})"
            )
            notes.append(
                f"{volume} — clarity beats marginal gains: {rung} {gain}, so {pick} stays: "
                f"{PURPOSE[pick]}"
            )
            break
        return pick, notes

    def leave_layer(self, layer: Layer, pick: str) -> str:
        volume = self.answer("rows")
        if (
            self.w.rows >= MULTI_MILLION
            and layer is not Layer.DRIVER
            and usable("driver_copy", self.w)
        ):
            ladder, notes = self.ladder(Layer.DRIVER)
            best, steps = self.walk(ladder)
            self.reasons.append(
                f"{volume} — multi-million-row loads go to COPY, in the driver layer: {best} "
                f"takes {fs(self.seconds(best))} where {pick} takes {fs(self.seconds(pick))}"
            )
            self.reasons += notes + steps
            return best
        declined: tuple[float, str] | None = None
        for lower in LAYERS[LAYERS.index(layer) + 1 :]:
            ladder, notes = self.ladder(lower)
            best, steps = self.walk(ladder)
            before, after = self.seconds(pick), self.seconds(best)
            if worth(before, after, LAYER_SAVING_S, LAYER_SAVING_SHARE):
                self.reasons.append(
                    f"{volume} — leaving the {layer} layer pays: {best} takes {fs(after)} "
                    f"where {pick} takes {fs(before)}"
                )
                self.reasons += notes + steps
                pick, layer, declined = best, lower, None
            elif after < before and (declined is None or before - after > declined[0]):
                declined = (
                    before - after,
                    f"{volume} — clarity beats marginal gains: {best} would save "
                    f"{fs(before - after)} per run ({fs(before)} → {fs(after)}), not enough "
                    f"to leave the {layer} layer",
                )
        if declined:
            self.reasons.append(declined[1])
        return pick

    def meet_deadline(self, pick: str) -> str:
        w = self.w
        limits = []
        if w.budget_s is not None:
            limits.append((w.budget_s, self.answer("budget_s")))
        if w.frequency is Frequency.CONTINUOUS:
            limits.append((CONTINUOUS_BATCH_S, f"{self.answer('frequency')} (a batch a minute)"))
        if not limits:
            return pick
        limit, answer = min(limits)
        needs = self.seconds(pick)
        if needs <= limit:
            if w.budget_s is not None:
                self.reasons.append(f"{answer} — {pick} fits, at about {fs(needs)}")
            return pick
        for later in CLARITY[CLARITY.index(pick) + 1 :]:
            if usable(later, w) and self.seconds(later) <= limit:
                self.reasons.append(
                    f"{answer} — {pick} needs about {fs(needs)}, more than the {fs(limit)} "
                    f"allowed; {later} is the clearest strategy that fits "
                    f"({fs(self.seconds(later))})"
                )
                return later
        self.deadline_missed = True
        self.reasons.append(
            f"{answer} — nothing fits in {fs(limit)}, so {pick} stays (about {fs(needs)})"
        )
        return pick

    def network_changed(self, local: str, pick: str) -> None:
        """Explain a choice that the round-trip time changed."""
        away, here = self.est(local), self.est(pick)
        self.reasons.append(
            f"{self.answer('rtt_ms')} — on a local server the choice would be {local}; here "
            f"it waits {fs(away.latency_s)} on {away.round_trips:,} round trips per run, "
            f"{pick} only {fs(here.latency_s)} on {here.round_trips:,}"
        )


# --- warnings -----------------------------------------------------------------------------


def _warnings(d: _Decider, pick: str) -> list[str]:
    w = d.w
    layer = STRATEGIES[pick].layer
    out = []
    if w.shape is InputShape.OBJECTS and layer is not Layer.ORM:
        out.append(
            f"Mismatched abstractions: {layer} fed ORM objects pays a conversion per row "
            "(not in the estimate); build dicts or tuples upstream instead of objects."
        )
    if w.shape is InputShape.TUPLES and layer is Layer.ORM:
        out.append(
            "Mismatched abstractions: the ORM fed tuples is awkward and brittle (positions "
            "must match attributes); map each tuple to its columns once, at the boundary, "
            "as the snippet does."
        )
    if pick == "orm_bulk_insert":
        out += _orm_bulk_warnings(d)
    if w.correctness is Correctness.HIGH and layer is not Layer.ORM:
        out.append(
            f"correctness: high, yet {pick} leaves the ORM: validation, relationships and "
            "events in your models do not run; check the rows before the insert."
        )
    if w.correctness is Correctness.HIGH and layer is Layer.ORM:
        out += _cost_of_correctness(d, pick)
    if pick in ("driver_copy", "driver_copy_binary") and (w.upsert or w.returning):
        out.append(
            "COPY has no ON CONFLICT and returns no ids: the snippet copies into a staging "
            "table, then runs INSERT ... SELECT; the estimate covers the COPY only."
        )
    if (w.upsert or w.returning) and w.rows >= MULTI_MILLION and not pick.startswith("driver_copy"):
        clause = " and ".join(
            c for f, c in ((w.upsert, "ON CONFLICT"), (w.returning, "RETURNING")) if f
        )
        out.append(
            f"At this volume the bulk route is COPY into a staging table, then INSERT ... "
            f"SELECT ... {clause}; that second step runs inside the server and is not "
            "estimated here: bench it on your data."
        )
    if pick == "driver_copy_binary":
        out.append(
            "Binary COPY needs exact column types: ints for bigint, floats for double "
            "precision, aware datetimes for timestamptz; one mismatch fails the whole load, "
            "and set_types must follow every schema change."
        )
    estimate = d.est(pick)
    if w.rtt_ms > 0 and estimate.latency_s >= LATENCY_SHARE_WARNING * estimate.seconds:
        out.append(
            f"network: {fs(estimate.latency_s)} of the {fs(estimate.seconds)} per run is "
            f"waiting on {estimate.round_trips:,} round trips of {w.rtt_ms:g} ms; pipelined "
            "executemany and COPY wait least."
        )
    if d.deadline_missed:
        fastest = min((s for s in CLARITY if usable(s, w)), key=d.seconds)
        out.append(
            f"No strategy meets the deadline: the fastest usable one, {fastest}, needs about "
            f"{fs(d.seconds(fastest))} per run."
        )
    return out


def _orm_bulk_warnings(d: _Decider) -> list[str]:
    w = d.w
    out = []
    if w.shape is InputShape.OBJECTS:
        out.append(
            "orm_bulk_insert takes dicts: the snippet reads each object's attributes; "
            "bulk_save_objects takes objects but is legacy in SQLAlchemy 2.x."
        )
    if w.correctness is Correctness.HIGH:
        out.append(
            "ORM bulk INSERT bypasses the unit of work: no relationship cascades, no ORM "
            "events, no per-object validation; validate the rows before the insert."
        )
    if w.correctness is Correctness.LOW and w.frequency is not Frequency.ONCE:
        driver, _ = d.walk(d.ladder(Layer.DRIVER)[0])
        out.append(
            f"Mismatched abstractions: ORM bulk inside an ETL pipeline is wasted overhead; "
            f"with correctness low the objects buy nothing: emit tuples and {driver} takes "
            f"{fs(d.seconds(driver))} instead of {fs(d.seconds('orm_bulk_insert'))}."
        )
    return out


def _cost_of_correctness(d: _Decider, pick: str) -> list[str]:
    """What keeping the unit of work costs, when a lower layer would save a lot."""
    driver, _ = d.walk(d.ladder(Layer.DRIVER)[0])
    if not worth(d.seconds(pick), d.seconds(driver), LAYER_SAVING_S, LAYER_SAVING_SHARE):
        return []
    return [
        f"correctness: high keeps the ORM at a price: {driver} would take "
        f"{fs(d.seconds(driver))} instead of {fs(d.seconds(pick))} per run, if the rules "
        "could be checked before the insert."
    ]


# --- alternatives and time per year -------------------------------------------------------


def _alternatives(d: _Decider, pick: str) -> list[Alternative]:
    out = [
        Alternative(
            strategy=sid,
            layer=STRATEGIES[sid].layer,
            estimate_s=d.seconds(sid),
            usable=usable(sid, d.w),
            why_not=_why_not(d, sid, pick),
        )
        for sid in ALL_IDS
        if sid != pick
    ]
    # The ones that can do the job first, fastest first; then the ones that cannot.
    return sorted(out, key=lambda a: (not a.usable, a.estimate_s))


def _why_not(d: _Decider, sid: str, pick: str) -> str:
    w = d.w
    layer = STRATEGIES[sid].layer
    clauses = []
    if sid in LEGACY:
        clauses.append(f"legacy in SQLAlchemy 2.x: {LEGACY[sid]} is its successor")
    elif sid == "orm_add_all" and w.upsert:
        clauses.append("cannot express ON CONFLICT (session.merge() costs a SELECT per row)")
    elif sid == "driver_copy_binary" and w.shape is InputShape.CSV:
        clauses.append("cannot read CSV: every field would be parsed and typed in Python first")
    elif sid.startswith("driver_copy") and not usable(sid, w):
        missing = " and ".join(
            text
            for flag, text in ((w.upsert, "has no ON CONFLICT"), (w.returning, "returns no ids"))
            if flag
        )
        clauses.append(f"{missing}: only through a staging table and INSERT ... SELECT")
    if w.correctness is Correctness.HIGH and sid != "orm_add_all":
        clauses.append("skips the unit of work (validation, relationships, events)")
    if w.shape is InputShape.OBJECTS and layer is not Layer.ORM:
        clauses.append("would convert every ORM object (conversion overhead)")
    if w.shape is InputShape.TUPLES and layer is Layer.ORM:
        clauses.append("the ORM fed tuples is awkward and brittle")
    if w.shape is InputShape.CSV and sid not in ("driver_copy", "driver_copy_binary"):
        clauses.append("parses the CSV in Python first")
    if sid == "driver_copy_binary" and w.correctness is not Correctness.LOW:
        clauses.append("needs exact column types: for when you push limits (correctness: low)")
    mine, theirs = d.seconds(pick), d.seconds(sid)
    if theirs < mine:
        saving = f"{fs(mine - theirs)} faster per run ({fs(mine)} → {fs(theirs)})"
        clauses.append(saving if clauses else f"{saving}: not enough to give up {pick}'s clarity")
    else:
        clauses.append(f"slower: {fs(theirs)} per run against {fs(mine)}")
    return "; ".join(clauses)


def _cadence(w: Workload, estimate: Estimate) -> Cadence:
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
        f"continuous: a steady stream, taken as one batch of {w.rows:,} rows a minute "
        f"({runs:,} a year, {format_rate(w.rows / CONTINUOUS_BATCH_S)} arriving); a batch "
        f"takes {fs(seconds)}, so it sustains {format_rate(w.rows / seconds)}, "
        f"{headroom:.3g}× the arrival rate"
    )
    return Cadence(runs, runs * seconds, how, headroom)
