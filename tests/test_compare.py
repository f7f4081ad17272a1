"""Saved vs new: a regression is flagged only when it is told apart from noise."""

from __future__ import annotations

import pytest

from advisor.report.compare import (
    Comparison,
    compare,
    comparison_cells,
    comparison_table,
    confirm,
    machine,
    machine_note,
)
from advisor.results import BenchReport, CeilingResult, StrategyResult
from tests.plans import report_of

ROWS = 10_000


def comparison(saved: list[float], new: list[float]) -> Comparison:
    def rate(runs: list[float]) -> float:
        return ROWS / sorted(runs)[len(runs) // 2]

    return Comparison("driver_copy", rate(saved), rate(new), True, tuple(saved), tuple(new))


@pytest.mark.parametrize(
    ("saved", "new", "flag"),
    [
        # every new run slower than every saved one, 3 against 3, 30% down: a regression
        ([0.10, 0.11, 0.12], [0.14, 0.15, 0.16], "slower"),
        # the same medians, but the runs overlap: noise (the machine drifts 2-3x)
        ([0.10, 0.11, 0.20], [0.09, 0.15, 0.16], "within noise"),
        # apart, but two runs a side prove nothing
        ([0.10, 0.11], [0.15, 0.16], "within noise"),
        # apart and enough runs, but only 5% down: not worth a flag
        ([0.100, 0.101, 0.102], [0.105, 0.106, 0.107], ""),
    ],
)
def test_only_a_distinguishable_drop_is_a_regression(
    saved: list[float], new: list[float], flag: str
) -> None:
    c = comparison(saved, new)
    assert c.slower is (flag == "slower")
    cell = comparison_cells(c)[-1]
    assert (flag in cell) if flag else cell == ""


def measured(runs: dict[str, list[float]], ceiling: list[float] | None) -> BenchReport:
    """A report of these strategies' runs, with the server ceiling's when given."""
    report = report_of(
        *(StrategyResult(sid, "driver", "tuples", ROWS, runs_s=r) for sid, r in runs.items())
    )
    if ceiling is not None:
        method = "COPY FROM server file (binary)"
        report.ceiling = CeilingResult(method, ROWS, runs_s=ceiling, verified=True)
    return report


def times(runs: list[float], factor: float) -> list[float]:
    return [s * factor for s in runs]


SAVED = {
    "driver_copy": [0.10, 0.11, 0.12],
    "driver_executemany": [0.30, 0.31, 0.32],
    "core_execute": [0.50, 0.52, 0.53],
}
CEILING = [0.030, 0.031, 0.032]


def test_a_machine_slower_as_a_whole_is_not_a_regression() -> None:
    saved = measured(SAVED, CEILING)
    # Everything, the ceiling included, takes 1.5-1.9x the time: the machine's doing.
    slow = {"driver_copy": 1.9, "driver_executemany": 1.7, "core_execute": 1.5}
    new = measured({s: times(r, slow[s]) for s, r in SAVED.items()}, times(CEILING, 1.7))
    comparisons = compare(saved, new)
    assert all(c.machine == pytest.approx(1 / 1.7) for c in comparisons)
    assert all(c.ratio is not None and c.ratio < 0.7 for c in comparisons)
    assert not any(c.slower for c in comparisons)
    headers, rows = comparison_table(comparisons)
    assert headers[4] == "÷ machine" and [r[4] for r in rows] == ["0.89×", "1.00×", "1.13×"]
    note = machine_note(machine(saved, new))
    assert "machine: 0.59×, the median new/saved of 4 measurements" in note
    assert "(the server ceiling: 0.59×)" in note and "slower than when saved" in note


def test_a_strategy_slower_than_the_others_beside_it_is_a_regression() -> None:
    saved = measured(SAVED, CEILING)
    slow = {"driver_copy": 4.0, "driver_executemany": 1.7, "core_execute": 1.7}
    new = measured({s: times(r, slow[s]) for s, r in SAVED.items()}, times(CEILING, 1.7))
    flagged = {c.strategy: comparison_table([c])[1][0][-1] for c in compare(saved, new) if c.slower}
    assert flagged == {"driver_copy": "57% slower"}


def test_fewer_than_three_measurements_in_common_are_compared_as_measured() -> None:
    saved = measured({"driver_copy": SAVED["driver_copy"]}, CEILING)
    new = measured({"driver_copy": times(SAVED["driver_copy"], 1.7)}, times(CEILING, 1.7))
    [c] = compare(saved, new)
    assert c.machine is None and c.slower
    assert "÷ machine" not in comparison_table([c])[0]
    assert machine(saved, new) is None
    assert "fewer than 3 measurements" in machine_note(None)


@pytest.mark.parametrize(
    ("second_runs", "slower", "flag"),
    [
        ([0.105, 0.11, 0.115], False, "within noise (again: 1.00×)"),  # a burst of load
        ([0.15, 0.155, 0.16], True, "27% slower (again: 0.71×)"),  # seen twice: a regression
    ],
)
def test_a_suspect_is_a_regression_only_when_measured_slower_again(
    second_runs: list[float], slower: bool, flag: str
) -> None:
    saved = measured({"driver_copy": [0.10, 0.11, 0.12]}, None)
    first = compare(saved, measured({"driver_copy": [0.14, 0.15, 0.16]}, None))
    assert first[0].suspect and first[0].slower  # before a second measurement
    [c] = confirm(first, compare(saved, measured({"driver_copy": second_runs}, None)))
    assert c.slower is slower
    assert comparison_table([c])[1][0][-1] == flag


@pytest.mark.parametrize(
    ("copy_factor", "flag"),
    [
        # its place among the others now (1.6x the time: 1.76x their median rows/s) is
        # within what the saved measurements have seen (2.81x and 1.71x): no regression
        (1.6, "within its saved range"),
        # 3x the time: 1.0x their median, far below the lowest saved place
        (3.0, "67% slower"),
    ],
)
def test_with_a_history_a_strategy_must_stand_lower_than_in_every_saved_measurement(
    copy_factor: float, flag: str
) -> None:
    saved = measured(SAVED, CEILING)
    new = measured(
        {s: times(r, copy_factor if s == "driver_copy" else 1.0) for s, r in SAVED.items()}, CEILING
    )
    history = [
        {"driver_copy": 90_000.0, "driver_executemany": 32_000.0, "core_execute": 19_000.0},
        {"driver_copy": 60_000.0, "driver_executemany": 35_000.0, "core_execute": 18_000.0},
    ]
    comparisons = {c.strategy: c for c in compare(saved, new, history)}
    assert comparison_table([comparisons["driver_copy"]])[1][0][-1] == flag
