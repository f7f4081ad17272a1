"""Saved vs new: a regression is flagged only when it is told apart from noise."""

from __future__ import annotations

import pytest

from advisor.report.compare import Comparison, comparison_cells

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
