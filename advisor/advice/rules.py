"""Workload -> Recommendation: shape first, then correctness, volume, deadline and distance.

The seed article: the right strategy depends "less on row count and more on what your data
already looks like", and abstractions must not be mismatched. Pure and deterministic (no
I/O, no database):

1. Layer. Correctness high -> the ORM: the unit of work must run, and rows of another shape
   become objects first (the estimate charges that). Otherwise the layer that takes the
   user's shape as it is: ORM objects -> ORM, dicts -> Core, tuples and CSV -> the driver, a
   DataFrame -> DataFrame-native paths. Inside an asyncio event loop each layer comes in its
   async form; a DataFrame has none, so its path runs off the loop (asyncio.to_thread).
2. Strategy. Each layer is a ladder from its clearest usable strategy to its fastest; the
   next rung is taken only when it saves BULK_SAVING_S and BULK_SAVING_SHARE of the run: the
   seed article's "clarity beats marginal gains". A layer with no usable rung (an upsert on a
   DataFrame path) hands over to the next one, and says why.
3. Leaving the layer (never when correctness is high) for a lower one that wants another
   shape: only when it saves LAYER_SAVING_S and LAYER_SAVING_SHARE of the run with the
   conversion included, as it brings new code and a second mental model.
4. A deadline (budget_s, or the minute between batches of a stream) that the choice cannot
   meet hands over to the clearest usable strategy that fits.
`reasons` explain the decision in a few sentences; `trace` keeps every step for --json.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from advisor.advice.conversions import an_input, the_rows, your_rows_become
from advisor.advice.estimates import Calibrated, Estimate, Estimator, Measurement
from advisor.advice.explain import alternatives, cadence, warnings
from advisor.advice.ladders import (
    ASYNC_LADDERS,
    BULK_SAVING_S,
    BULK_SAVING_SHARE,
    CLARITY,
    CSV_LADDERS,
    FALLBACK,
    HOME,
    KEEPS_SEMANTICS,
    LAYER_SAVING_S,
    LAYER_SAVING_SHARE,
    LOWER,
    OBJECTS_ORM_LADDER,
    SYNC_LADDERS,
    candidate,
    worth,
)
from advisor.advice.properties import BINARY, usable
from advisor.advice.purposes import PURPOSE, TRADE_OFFS
from advisor.advice.recommendation import Recommendation
from advisor.snippets import snippet
from advisor.snippets.table import STANDARD_TABLE, SnippetTable, table_warnings
from advisor.strategy_info import STRATEGIES, Layer
from advisor.units import counted
from advisor.units import format_seconds as fs
from advisor.workload import (
    CONTINUOUS_BATCH_S,
    QUESTION_BY_KEY,
    Correctness,
    Frequency,
    InputShape,
    Workload,
)

HOME_WHY = {
    InputShape.OBJECTS: "the rows already are ORM objects, and the ORM takes them as they are",
    InputShape.DICTS: "Core binds dicts by column name as they are: structured data with "
    "light abstraction",
    InputShape.TUPLES: "the driver takes tuples in column order as they are",
    InputShape.CSV: "COPY reads CSV natively (FORMAT csv): the file streams to the server "
    "with no parsing in Python",
    InputShape.DATAFRAME: "DataFrame-native paths take the columns as they are, with no row "
    "objects in between (pandas shown; a polars DataFrame takes write_database(engine="
    '"adbc"), polars_adbc, the same ADBC path)',
}


def recommend(
    workload: Workload,
    measured: Sequence[Measurement] | None = None,
    table: SnippetTable = STANDARD_TABLE,
    *,
    origin: str = "your bench",
    calibrated: Calibrated | None = None,
) -> Recommendation:
    """The advice for `workload`, estimated from reference figures or the user's own
    measurements (`origin` says where they come from; `calibrated`, the calibration of the
    server they were measured on, fills in for the strategies they leave out), with a
    snippet written for `table` (what the table cannot do is added to the warnings)."""
    estimator = Estimator(
        measured or (),
        origin=origin,
        upsert=workload.upsert,
        returning=workload.returning,
        calibrated=calibrated,
    )
    decider = Decider(workload, estimator)
    pick = decider.choose()
    if workload.rtt_ms > 0:
        local = Decider(replace(workload, rtt_ms=0.0), estimator).choose()
        if local != pick:
            decider.network_changed(local, pick)
    estimate = decider.est(pick)
    return Recommendation(
        workload=workload,
        layer=STRATEGIES[pick].layer,
        strategy=pick,
        reasons=tuple(decider.reasons),
        trade_offs=TRADE_OFFS[pick],
        warnings=tuple(warnings(decider, pick) + table_warnings(table, workload, pick)),
        alternatives=tuple(alternatives(decider, pick)),
        estimate_s=estimate.seconds,
        estimate_source=estimator.source_for(workload.rows),
        per_year=cadence(workload, estimate),
        snippet=snippet(pick, workload, table),
        table=table.name,
        trace=tuple(decider.trace),
    )


@dataclass
class Decider:
    """One decision: the answers, the estimates, the reasons and the full trace."""

    w: Workload
    estimator: Estimator
    reasons: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    deadline_missed: bool = False
    left_for_deadline: bool = False  # the deadline moved the pick to another strategy
    _estimates: dict[str, Estimate] = field(default_factory=dict)

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
            "rows": f"{counted(w.rows, 'row')} {per}",
            "correctness": str(w.correctness),
            "frequency": str(w.frequency),
            "returning": "ids needed back",
            "upsert": "ON CONFLICT needed",
            "budget_s": f"{fs(w.budget_s or 0)} per run",
            "rtt_ms": f"{w.rtt_ms:g} ms round trip",
            "asyncio": "inside an event loop",
        }
        return f"{QUESTION_BY_KEY[key].reason_label}: {values[key]}"

    def because(self, key: str, text: str, *, decisive: bool = True) -> None:
        """A step of the decision: always traced, and a reason when it decided something."""
        line = f"{self.answer(key)} — {text}"
        self.trace.append(line)
        if decisive:
            self.reasons.append(line)

    def costs(self, sid: str) -> str:
        """`1.2 s`, or `1.2 s with 0.4 s of converting dicts to tuples`."""
        e = self.est(sid)
        if e.conversion is None:
            return fs(e.seconds)
        return (
            f"{fs(e.seconds)} with {fs(e.convert_s)} of turning {the_rows(self.w.shape)} into "
            f"{an_input(e.conversion.target)}"
        )

    # --- the steps ----------------------------------------------------------------------

    def choose(self) -> str:
        layer = self.natural_layer()
        layer, ladder = self.usable_ladder(layer)
        pick = self.walk(ladder)
        if self.w.correctness is not Correctness.HIGH:
            pick = self.leave_layer(layer, pick)
        return self.meet_deadline(pick)

    def natural_layer(self) -> Layer:
        w = self.w
        loop = " in its async form, so the insert never blocks the event loop" if w.asyncio else ""
        if w.correctness is Correctness.HIGH:
            convert = (
                ""
                if w.shape is InputShape.OBJECTS
                else f"; {your_rows_become(w.shape)} ORM objects first, and the estimate "
                "includes it"
            )
            self.because(
                "correctness",
                "validation, relationships and business rules must run: build it like an "
                f"application, in the ORM{loop}{convert}",
            )
            return Layer.ORM
        layer = HOME[w.shape]
        if layer is Layer.DATAFRAME:
            loop = ""  # it has no async form: the next reason says where it runs instead
        self.because("shape", f"{HOME_WHY[w.shape]}: the {layer} layer{loop}")
        if w.asyncio and layer is Layer.DATAFRAME:
            self.because(
                "asyncio",
                "no DataFrame library inserts asynchronously: the DataFrame path runs off the "
                "event loop, in a worker thread (await asyncio.to_thread(...))",
            )
        return layer

    def ladder(self, layer: Layer) -> list[str]:
        """The layer's strategies a recommendation may pick, clearest first."""
        w = self.w
        rungs = list((ASYNC_LADDERS if w.asyncio else SYNC_LADDERS)[layer])
        if layer is Layer.ORM and w.shape is InputShape.OBJECTS and not w.asyncio:
            rungs = list(OBJECTS_ORM_LADDER)
        if layer is Layer.DRIVER and w.shape is InputShape.CSV:
            rungs = list(CSV_LADDERS[w.asyncio])
        if layer is Layer.DRIVER and w.correctness is not Correctness.LOW:
            rungs = [r for r in rungs if r not in BINARY]  # exact types: for pushing limits
        if layer is Layer.ORM and w.correctness is Correctness.HIGH:
            rungs = rungs[:1]  # only the unit of work keeps every rule
        # A rung that cannot express ON CONFLICT or RETURNING gives way to a sibling that can.
        rungs = [r if usable(r, w) else KEEPS_SEMANTICS.get(r, r) for r in rungs]
        return list(dict.fromkeys(r for r in rungs if candidate(r, w)))

    def usable_ladder(self, layer: Layer) -> tuple[Layer, list[str]]:
        """The layer's ladder, or the next layer's when none of it can do what is asked."""
        tried: list[Layer] = []
        while not (rungs := self.ladder(layer)):
            tried.append(layer)
            layer = FALLBACK[layer]
            if layer in tried:
                raise AssertionError(f"no strategy can serve {self.w}")  # a gap in the tables
        if tried:
            asks = " and ".join(
                self.answer(k) for k in ("upsert", "returning") if getattr(self.w, k)
            ) or self.answer("asyncio")
            self.because(
                "upsert" if self.w.upsert else "returning" if self.w.returning else "asyncio",
                f"no {tried[0]} strategy here can do it ({asks.split(': ', 1)[-1]}): the "
                f"{layer} layer can",
            )
        return layer, rungs

    def walk(self, ladder: Sequence[str]) -> str:
        """Climb the ladder while each rung pays for itself; the reasons say why it stopped."""
        pick = ladder[0]
        if len(ladder) == 1:
            self.because("rows", f"{pick}: {PURPOSE[pick]} (about {self.costs(pick)})")
            return pick
        for rung in ladder[1:]:
            before, after = self.seconds(pick), self.seconds(rung)
            if worth(before, after, BULK_SAVING_S, BULK_SAVING_SHARE):
                self.because(
                    "rows",
                    f"{rung} saves {fs(before - after)} per run over {pick} "
                    f"({fs(before)} → {self.costs(rung)}): {PURPOSE[rung]}",
                    decisive=rung == ladder[-1],
                )
                pick = rung
                continue
            gain = (
                f"would save only {fs(before - after)} per run ({fs(before)} → {fs(after)})"
                if after < before
                else f"would be no faster ({fs(after)} against {fs(before)})"
            )
            self.because(
                "rows",
                f"clarity beats marginal gains: {rung} {gain}, so {pick} stays: "
                f"{PURPOSE[pick]} (about {self.costs(pick)})",
            )
            break
        return pick

    def leave_layer(self, layer: Layer, pick: str) -> str:
        declined: tuple[float, str] | None = None
        for lower in LOWER[layer]:
            rungs = self.ladder(lower)
            if not rungs:
                continue
            best = min(rungs, key=self.seconds)
            before, after = self.seconds(pick), self.seconds(best)
            if worth(before, after, LAYER_SAVING_S, LAYER_SAVING_SHARE):
                self.because(
                    "rows",
                    f"leaving the {layer} layer pays even with the conversion: {best} takes "
                    f"{self.costs(best)} where {pick} takes {fs(before)}",
                )
                pick, layer, declined = best, lower, None
            elif after < before and (declined is None or before - after > declined[0]):
                declined = (
                    before - after,
                    f"clarity beats marginal gains: {best} would save {fs(before - after)} per "
                    f"run ({fs(before)} → {self.costs(best)}), not enough to leave the "
                    f"{layer} layer",
                )
        if declined:
            self.because("rows", declined[1], decisive=False)
        return pick

    def meet_deadline(self, pick: str) -> str:
        w = self.w
        limits = []
        if w.budget_s is not None:
            limits.append((w.budget_s, "budget_s"))
        if w.frequency is Frequency.CONTINUOUS:
            limits.append((CONTINUOUS_BATCH_S, "frequency"))
        if not limits:
            return pick
        limit, key = min(limits)
        needs = self.seconds(pick)
        if needs <= limit:
            self.because(key, f"{pick} fits, at about {fs(needs)}", decisive=False)
            return pick
        for later in CLARITY[CLARITY.index(pick) + 1 :] if pick in CLARITY else ():
            if candidate(later, w) and self.seconds(later) <= limit:
                self.because(
                    key,
                    f"{pick} needs about {fs(needs)}, more than the {fs(limit)} allowed; "
                    f"{later} is the clearest strategy that fits ({self.costs(later)})",
                )
                self.left_for_deadline = True
                return later
        self.deadline_missed = True
        self.because(key, f"nothing fits in {fs(limit)}, so {pick} stays (about {fs(needs)})")
        return pick

    def network_changed(self, local: str, pick: str) -> None:
        """Explain a choice that the round-trip time changed."""
        away, here = self.est(local), self.est(pick)
        self.because(
            "rtt_ms",
            f"on a local server the choice would be {local}; here it waits "
            f"{fs(away.latency_s)} on {away.round_trips:,} round trips per run, {pick} only "
            f"{fs(here.latency_s)} on {here.round_trips:,}",
        )
