"""Deterministic synthetic rows.

Rows are produced as tuples in `spec.insert_names` order, in fixed blocks each seeded from
(seed, block number), so any slice of a data set can be regenerated on its own, in any chunk
size, and always comes out the same.
"""

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from advisor.tables import STANDARD, STANDARD_KEYED, TableSpec

Row = tuple[Any, ...]
BLOCK = 10_000


def map_columns(funcs: Sequence[Callable[[Any], Any] | None]) -> Callable[[Row], Row] | None:
    """One function applying per-column functions to a row; None when there are none, so
    callers can skip the per-row work entirely."""
    pairs = [(i, f) for i, f in enumerate(funcs) if f is not None]
    if not pairs:
        return None

    def apply(row: Row) -> Row:
        values = list(row)
        for i, f in pairs:
            values[i] = f(values[i])
        return tuple(values)

    return apply


class Dataset(Protocol):
    """A source of rows for one table; `rows(start, count)` must be deterministic."""

    @property
    def spec(self) -> TableSpec: ...

    def rows(self, start: int, count: int) -> list[Row]: ...


class BlockDataset:
    """Base for generators that build one block of rows from a seeded RNG."""

    spec: TableSpec

    def __init__(self, seed: int = 42) -> None:
        self.seed = seed

    def block(self, rng: random.Random, first: int, count: int) -> list[Row]:
        raise NotImplementedError

    def rows(self, start: int, count: int) -> list[Row]:
        out: list[Row] = []
        end = start + count
        index = start // BLOCK
        while index * BLOCK < end:
            first = index * BLOCK
            rng = random.Random(self.seed * 1_000_003 + index)
            block = self.block(rng, first, BLOCK)
            lo, hi = max(start, first) - first, min(end, first + BLOCK) - first
            out.extend(block[lo:hi])
            index += 1
        return out


_FIRST = (
    "ada",
    "alan",
    "grace",
    "edsger",
    "barbara",
    "donald",
    "linus",
    "margaret",
    "ken",
    "dennis",
    "frances",
    "john",
    "radia",
    "tim",
    "sophie",
    "guido",
    "anders",
    "yukihiro",
)
_LAST = (
    "lovelace",
    "turing",
    "hopper",
    "dijkstra",
    "liskov",
    "knuth",
    "torvalds",
    "hamilton",
    "thompson",
    "ritchie",
    "allen",
    "backus",
    "perlman",
    "berners-lee",
    "wilson",
    "van rossum",
)
_DOMAINS = ("example.com", "example.org", "mail.test", "corp.example", "uni.example.edu")
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_SPAN_S = 3 * 365 * 86_400


class StandardData(BlockDataset):
    """The seed article's realistic row: id, name, email, score (5% NULL), active, created_at."""

    spec = STANDARD

    def block(self, rng: random.Random, first: int, count: int) -> list[Row]:
        rand, choice, randrange = rng.random, rng.choice, rng.randrange
        out: list[Row] = []
        for i in range(first, first + count):
            given, family = choice(_FIRST), choice(_LAST)
            score = None if rand() < 0.05 else round(rand() * 100, 3)
            created = _EPOCH + timedelta(
                seconds=randrange(_SPAN_S), microseconds=randrange(1_000_000)
            )
            out.append(
                (
                    i + 1,
                    f"{given.title()} {family.title()}",
                    f"{given}.{family.replace(' ', '')}{i + 1}@{choice(_DOMAINS)}",
                    score,
                    rand() < 0.8,
                    created,
                )
            )
        return out


class KeyedStandardData(StandardData):
    """The standard rows without their ids, for upserts and returned ids: the table numbers
    the rows itself and email is the key (see `STANDARD_KEYED`)."""

    spec = STANDARD_KEYED

    def block(self, rng: random.Random, first: int, count: int) -> list[Row]:
        return [row[1:] for row in super().block(rng, first, count)]
