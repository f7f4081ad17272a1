"""The questionnaire's answers (a `Workload`), validated, and the questions themselves as data.

Plain Python: the CLI, the TUI and saved profiles all build a `Workload` through `from_dict`, so
every input is checked in one place and every mistake is one clear line (`InputError`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, TypeVar

from advisor.errors import InputError
from advisor.limits import MAX_RTT_MS, MAX_RUN_S, MAX_WORKLOAD_ROWS
from advisor.strategy_info import suggest
from advisor.units import parse_count


class InputShape(StrEnum):
    """What the rows look like when they reach the insert."""

    OBJECTS = "objects"
    DICTS = "dicts"
    TUPLES = "tuples"
    CSV = "csv"
    DATAFRAME = "dataframe"  # a pandas or polars DataFrame, or an Arrow table


class Correctness(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Frequency(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    HOURLY = "hourly"
    CONTINUOUS = "continuous"


# A continuous stream is modelled as one batch of `rows` every minute: that turns "rows per
# run" into an arrival rate (rows / 60 s) and gives each batch a hard deadline.
CONTINUOUS_BATCH_S = 60.0
RUNS_PER_YEAR: dict[Frequency, int] = {
    Frequency.ONCE: 1,
    Frequency.DAILY: 365,
    Frequency.HOURLY: 365 * 24,
    Frequency.CONTINUOUS: int(365 * 24 * 3600 / CONTINUOUS_BATCH_S),
}

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Workload:
    shape: InputShape
    rows: int
    correctness: Correctness
    frequency: Frequency
    returning: bool = False
    upsert: bool = False
    budget_s: float | None = None
    rtt_ms: float = 0.0
    asyncio: bool = False  # the insert runs inside an asyncio event loop

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Workload:
        """Validate raw answers (CLI strings, TOML values or typed values) into a Workload."""
        known = tuple(f.name for f in fields(cls))
        for key in data:
            if key not in known:
                raise InputError(
                    f"unknown workload field {key!r}{suggest(str(key), known)} "
                    f"(valid: {', '.join(known)})"
                )
        for question in QUESTIONS:
            if question.required and data.get(question.key) is None:
                raise InputError(f"missing {question.key} ({question.hint})")
        return cls(
            shape=parse_choice(InputShape, data["shape"], "shape"),
            rows=parse_count(data["rows"], what="rows", maximum=MAX_WORKLOAD_ROWS),
            correctness=parse_choice(Correctness, data["correctness"], "correctness"),
            frequency=parse_choice(Frequency, data["frequency"], "frequency"),
            returning=_flag(data.get("returning", False), "returning"),
            upsert=_flag(data.get("upsert", False), "upsert"),
            budget_s=_budget(data.get("budget_s")),
            rtt_ms=_rtt(data.get("rtt_ms", 0.0)),
            asyncio=_flag(data.get("asyncio", False), "asyncio"),
        )

    def to_dict(self) -> dict[str, str | int | float | bool]:
        """TOML- and JSON-ready: only str/int/float/bool values; unset options are omitted."""
        out: dict[str, str | int | float | bool] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not (f.name == "asyncio" and not value):
                # Omitted when false, so profiles saved before the question existed
                # read back byte-for-byte.
                out[f.name] = str(value) if isinstance(value, StrEnum) else value
        return out

    @property
    def runs_per_year(self) -> int:
        return RUNS_PER_YEAR[self.frequency]


def parse_choice(kind: type[E], value: Any, what: str) -> E:
    """One of an enum's values, case-insensitive, with a close-match suggestion."""
    valid = tuple(str(member) for member in kind)
    word = str(value).strip().lower()
    if word not in valid:
        raise InputError(
            f"unknown {what} {value!r}{suggest(word, valid)} (valid: {', '.join(valid)})"
        )
    return kind(word)


def _flag(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InputError(f"{what} must be true or false, not {value!r}")


def _number(value: Any, what: str) -> float:
    """A finite float from a number or its text; bools are not numbers here."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{what} must be a number, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{what} must be a finite number, not {value!r}")
    return number


def _budget(value: Any) -> float | None:
    if value is None:
        return None
    seconds = _number(value, "budget_s")
    if not 0 < seconds <= MAX_RUN_S:
        raise InputError(
            f"budget_s must be more than 0 seconds and at most {MAX_RUN_S:.0f}, not {value!r}"
        )
    return seconds


def _rtt(value: Any) -> float:
    ms = _number(value, "rtt_ms")
    if not 0 <= ms <= MAX_RTT_MS:
        raise InputError(f"rtt_ms must be between 0 and {MAX_RTT_MS:.0f} ms, not {value!r}")
    return ms


# --- the questionnaire, as data for the TUI and for --help -------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    description: str


@dataclass(frozen=True)
class Question:
    key: str  # the Workload field; the CLI option is --key with "_" as "-"
    title: str
    explanation: str
    example: str  # a value as typed on the command line ("" for a yes/no flag)
    reason_label: str  # how reasons name this answer: "volume: 2,000,000 rows per run — …"
    choices: tuple[Choice, ...] = ()
    required: bool = True
    flag: str = ""  # the CLI option when it is not --key with "_" as "-"

    @property
    def option(self) -> str:
        return self.flag or "--" + self.key.replace("_", "-")

    @property
    def hint(self) -> str:
        """What a valid answer looks like, for error messages."""
        if self.choices:
            return "one of " + ", ".join(c.value for c in self.choices)
        return f"e.g. {self.option} {self.example}".rstrip()


QUESTIONS: tuple[Question, ...] = (
    Question(
        key="shape",
        title="What do the rows look like when they reach the insert?",
        explanation="The shape your code already holds; converting shapes costs time and clarity.",
        example="dicts",
        reason_label="shape",
        choices=(
            Choice("objects", "ORM objects", "instances of your mapped classes already exist"),
            Choice("dicts", "dicts", "one mapping per row, e.g. from JSON, an API or a transform"),
            Choice("tuples", "tuples", "raw rows in column order, e.g. from another cursor"),
            Choice("csv", "CSV", "a CSV file or stream to load as it is"),
            Choice("dataframe", "DataFrame", "a pandas or polars DataFrame, or an Arrow table"),
        ),
    ),
    Question(
        key="rows",
        title="How many rows per run?",
        explanation="Rows inserted in one run (continuous: per one-minute batch); "
        "500, 10k, 2M and 1e6 are all understood.",
        example="2M",
        reason_label="volume",
    ),
    Question(
        key="correctness",
        title="How much must the insert protect the data?",
        explanation="How much validation, relationships and business rules matter.",
        example="high",
        reason_label="correctness",
        choices=(
            Choice("low", "low", "trusted, clean rows; speed matters most (bulk loads, caches)"),
            Choice(
                "medium", "medium", "typed, consistent data; the rules live in the database schema"
            ),
            Choice("high", "high", "validation, relationships and events in your models must run"),
        ),
    ),
    Question(
        key="frequency",
        title="How often does it run?",
        explanation="Gives the time per year; continuous is modelled as one batch every minute.",
        example="daily",
        reason_label="frequency",
        choices=(
            Choice("once", "once", "a one-off load or migration"),
            Choice("daily", "daily", "a nightly job: 365 runs a year"),
            Choice("hourly", "hourly", "8,760 runs a year"),
            Choice("continuous", "continuous", "a steady stream: one batch every minute"),
        ),
    ),
    Question(
        key="returning",
        title="Do you need the generated ids back?",
        explanation="Yes when the database generates ids (identity, serial) and your code "
        "needs them, e.g. to insert child rows.",
        example="",
        reason_label="returning",
        required=False,
    ),
    Question(
        key="upsert",
        title="Must rows that already exist be updated (ON CONFLICT)?",
        explanation="Yes when a row may already be there and should be updated, not rejected.",
        example="",
        reason_label="upsert",
        required=False,
    ),
    Question(
        key="budget_s",
        title="How long may one run take?",
        explanation="Seconds allowed per run; when the natural choice is slower, the "
        "clearest strategy that fits is chosen instead.",
        example="30",
        reason_label="budget",
        required=False,
    ),
    Question(
        key="rtt_ms",
        title="How far away is the database?",
        explanation="Network round trip to the server in milliseconds (ping it, or time "
        "SELECT 1); 0 means local.",
        example="20",
        reason_label="network",
        required=False,
    ),
    Question(
        key="asyncio",
        title="Does this code run inside an asyncio event loop?",
        explanation="Yes for FastAPI, aiohttp or any async def code: a blocking insert there "
        "stalls every other request.",
        example="",
        reason_label="asyncio",
        required=False,
        flag="--async",
    ),
)

QUESTION_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
