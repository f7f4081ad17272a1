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


def measured(runs: list[float], ceiling: list[float] | None) -> BenchReport:
    """A report of driver_copy's runs, with the server ceiling's when given."""
    result = StrategyResult("driver_copy", "driver", "tuples", ROWS, runs_s=runs)
    report = report_of(result)
    if ceiling is not None:
        report.ceiling = CeilingResult(
            "COPY FROM server file (binary)", ROWS, runs_s=ceiling, verified=True
        )
    return report


SAVED_CEILING = [0.030, 0.031, 0.032]
SLOW_MACHINE = [0.054, 0.055, 0.057]  # the same server load at 0.56x the speed


def test_a_machine_slower_as_a_whole_is_not_a_regression() -> None:
    saved = measured([0.10, 0.11, 0.12], SAVED_CEILING)
    new = measured([0.18, 0.19, 0.20], SLOW_MACHINE)  # 1.7x the time, like the ceiling
    [c] = compare(saved, new)
    assert c.machine == pytest.approx(0.5636, abs=1e-3)
    assert c.ratio == pytest.approx(0.579, abs=1e-3)
    assert not c.dropped and not c.slower
    headers, [cells] = comparison_table([c])
    assert headers[4] == "÷ machine" and cells[4] == "1.03×" and cells[-1] == ""
    note = machine_note(machine(saved, new))
    assert note is not None and "0.56×, every run apart" in note and "slower now" in note


def test_a_strategy_slower_than_the_machine_itself_is_a_regression() -> None:
    saved = measured([0.10, 0.11, 0.12], SAVED_CEILING)
    new = measured([0.40, 0.41, 0.42], SLOW_MACHINE)  # 3.7x the time; the machine: 1.8x
    [c] = compare(saved, new)
    assert c.slower
    assert comparison_table([c])[1][0][-1] == "52% slower"


def test_a_ceiling_that_moved_within_noise_leaves_the_runs_as_they_are() -> None:
    saved = measured([0.10, 0.11, 0.12], SAVED_CEILING)
    new = measured([0.14, 0.15, 0.16], [0.029, 0.036, 0.050])  # overlaps the saved ceiling
    [c] = compare(saved, new)
    assert c.machine == 1.0 and c.slower
    headers, _ = comparison_table([c])
    assert "÷ machine" not in headers
    note = machine_note(machine(saved, new))
    assert note is not None and "within noise" in note


def test_without_a_ceiling_on_both_sides_nothing_is_adjusted() -> None:
    saved = measured([0.10, 0.11, 0.12], None)
    new = measured([0.18, 0.19, 0.20], SLOW_MACHINE)
    [c] = compare(saved, new)
    assert c.machine == 1.0 and c.slower
    assert machine_note(machine(saved, new)) is None


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
    saved = measured([0.10, 0.11, 0.12], None)
    first = compare(saved, measured([0.14, 0.15, 0.16], None))
    assert first[0].suspect and first[0].slower  # before a second measurement
    [c] = confirm(first, compare(saved, measured(second_runs, None)))
    assert c.slower is slower
    assert comparison_table([c])[1][0][-1] == flag
