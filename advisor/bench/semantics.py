"""Upserts and returned ids in a benchmark: what is refused before any run, the rows an upsert
finds in the table, and the check of the ids that came back.

Before every upsert run (untimed) the table holds stale versions of a share of the input's
keys and rows the input does not touch. Afterwards it must hold exactly the input and those
untouched rows: the content checksum covers every column written, so an upsert that updated
nothing, or only some columns, is caught even though the row count is right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

from advisor.bench.data.datagen import Dataset, Row
from advisor.bench.strategies.adapt import driver_row
from advisor.bench.verify import Canon, Checksum, ChecksumBuilder, canonical
from advisor.errors import InputError
from advisor.results import BenchPlan, Semantics
from advisor.snippets.table import conflict_key
from advisor.tables import TableSpec

if TYPE_CHECKING:
    from advisor.bench.table import BenchTable

UNTOUCHED_SHARE = 0.1  # rows the input does not touch, as a share of the input's rows


def check(semantics: Semantics, spec: TableSpec) -> None:
    """Refuse, in one line and before any run, what this table cannot be benchmarked for."""
    source = spec.source or spec.name
    if semantics.upsert and conflict_key(spec) is None:
        raise InputError(
            f"--upsert: {source} has no primary key, unique constraint or unique index on the"
            " columns the benchmark writes, so ON CONFLICT cannot tell an existing row from a"
            " new one"
        )
    if semantics.returning and not any(c.db_generated for c in spec.columns):
        raise InputError(
            f"--returning: the database fills in no column of {source} (no identity, serial or "
            "generated column), so there are no ids to return"
        )


def untouched_rows(rows: int) -> int:
    return max(1, int(rows * UNTOUCHED_SHARE))


def notes(plan: BenchPlan, table: BenchTable) -> list[str]:
    """How the runs were made for these semantics, for a reader of the results."""
    sem, writes = plan.semantics, table.writes
    out: list[str] = []
    if sem.plain:
        return out
    if table.spec.source is None:
        out.append(
            "the standard table as the snippets define it for upserts and returned ids: id is an"
            " identity the database numbers (the rows carry none), and email is unique"
        )
    if sem.upsert and writes.table.key is not None:
        key = writes.table.key
        stale = round(plan.rows * sem.conflicts)
        out.append(
            f"upserts ON CONFLICT ({', '.join(key.columns)}), the {key.kind} {key.name}: before"
            f" each run (untimed) the table holds stale values for {stale:,} of the input's keys"
            f" ({sem.conflicts:.0%}) and {untouched_rows(plan.rows):,} rows the input does not"
            " touch; each run must leave exactly the input's values and those rows"
        )
    if sem.returning:
        out.append(
            f"ids returned ({', '.join(writes.returned)}): each run's must be exactly the stored"
            " ones, matched to their input rows where the API returns them in input order"
        )
    if plan.ceiling:
        out.append(
            "no server ceiling: it is a plain COPY into an empty table, no reference for"
            f" {sem.describe()}"
        )
    return out


class Existing:
    """The rows an upsert finds in the table.

    Input row i is one of the `conflicts` share (spread evenly over the input) when
    `_conflicting(i)`; its stale version has its key and the other values of generated row
    `rows + untouched + i`. The untouched rows are generated rows `rows` and on. Generated
    unique columns never repeat across row numbers, so no row breaks a unique constraint other
    than the upsert key, before or after the upsert.
    """

    def __init__(
        self,
        dataset: Dataset,
        rows: int,
        batch_rows: int,
        share: float,
        key: tuple[int, ...],
        cache: bool,
    ) -> None:
        self.dataset, self.rows, self.batch_rows, self.key = dataset, rows, batch_rows, key
        self.conflicts = round(rows * share)
        self.untouched = untouched_rows(rows)
        self.cache = cache  # small sets are generated once (a block costs as much as a row)
        self._stale: list[list[Row]] | None = None
        self._untouched: list[list[Row]] | None = None
        self._checksum: Checksum | None = None

    def _conflicting(self, i: int) -> bool:
        # Bresenham's spread: exactly `conflicts` of the `rows` indices, evenly apart.
        return (i + 1) * self.conflicts // self.rows > i * self.conflicts // self.rows

    def batches(self, inputs: Iterable[list[Row]]) -> Iterator[list[Row]]:
        """The rows the table holds before a run: stale, then untouched."""
        if self._stale is None:
            stale = self._stale_batches(inputs)
            if not self.cache:
                yield from chain(stale, self.untouched_batches())
                return
            self._stale = list(stale)
        yield from chain(self._stale, self.untouched_batches())

    def _stale_batches(self, inputs: Iterable[list[Row]]) -> Iterator[list[Row]]:
        """The stale versions of the conflicting input rows, batch by input batch."""
        start = 0
        for batch in inputs:
            others = self.dataset.rows(self.rows + self.untouched + start, len(batch))
            stale = []
            for offset, (row, other) in enumerate(zip(batch, others, strict=True)):
                if self._conflicting(start + offset):
                    values = list(other)
                    for k in self.key:
                        values[k] = row[k]
                    stale.append(tuple(values))
            start += len(batch)
            yield stale

    def untouched_batches(self) -> Iterator[list[Row]]:
        if self._untouched is not None:
            return iter(self._untouched)
        batches = (
            self.dataset.rows(self.rows + start, min(self.batch_rows, self.untouched - start))
            for start in range(0, self.untouched, self.batch_rows)
        )
        if not self.cache:
            return batches
        self._untouched = list(batches)
        return iter(self._untouched)

    def checksum(self, canon: Canon | None) -> Checksum:
        """The untouched rows' share of the expected checksum."""
        if self._checksum is None:
            builder = ChecksumBuilder(canon)
            for batch in self.untouched_batches():
                builder.add(batch)
            self._checksum = builder.result()
        return self._checksum

    def fill(self, table: BenchTable, inputs: Iterable[list[Row]]) -> None:
        """Empty the table, then load the stale and untouched rows, as a table lived in is:
        vacuumed and analyzed, its pages flushed, so no run pays for the load."""
        admin = table.sandbox.admin
        admin.execute(f"TRUNCATE {table.qualified} RESTART IDENTITY")
        convert = driver_row(table.spec)
        sql = f"COPY {table.qualified} ({table.column_list}) FROM STDIN"
        with admin.cursor() as cur, cur.copy(sql) as copy:
            for batch in self.batches(inputs):
                for row in batch if convert is None else map(convert, batch):
                    copy.write_row(row)
        admin.execute(f"VACUUM (ANALYZE) {table.qualified}")
        if table.can_checkpoint:
            admin.execute("CHECKPOINT")


def _ids(value: Any) -> Hashable:
    """One returned entry as a tuple of canonical values (one generated column or several)."""
    return canonical(value if isinstance(value, tuple) else (value,))


def returned_problem(
    returned: list[Any] | None,
    ordered: bool,
    inputs: Iterable[Row],
    stored: Iterable[tuple[Hashable, Row]],
    expected_key: Canon | None,
) -> str | None:
    """Whether the ids that came back are exactly those stored for the input rows: in input
    order when the API promises it, else as a set; None when they are.

    `stored` pairs each stored row's content key with its generated values; `expected_key`
    turns an input row into the same content key (rows the input does not touch have
    content no input row has).
    """
    if returned is None:
        return "no ids came back"
    keys = [expected_key(row) if expected_key else row for row in inputs]
    if len(returned) != len(keys):
        return f"{len(returned)} ids came back for {len(keys)} rows"
    owners: dict[Hashable, Counter[Hashable]] = {}
    for content, generated in stored:
        owners.setdefault(content, Counter())[_ids(generated)] += 1
    got = [_ids(v) for v in returned]
    if ordered:
        for position, (content, ids) in enumerate(zip(keys, got, strict=True), 1):
            mine = owners.get(content, Counter())
            if mine[ids] > 0:
                mine[ids] -= 1
                continue
            stored_as = next((k for k, n in mine.items() if n > 0), None)
            where = "is not stored" if stored_as is None else f"was stored with {stored_as}"
            return f"input row {position} got back {ids}, but that row {where}"
        return None
    wanted: Counter[Hashable] = Counter()
    for content in set(keys):
        wanted.update(owners.get(content, {}))  # not +=, which prunes all of `wanted` each time
    extra, missing = Counter(got) - wanted, wanted - Counter(got)
    if extra:
        first = next(iter(extra))
        return f"{extra.total()} id(s) came back that no input row was stored with, first {first}"
    if missing:
        return f"{missing.total()} stored id(s) did not come back, first {next(iter(missing))}"
    return None
