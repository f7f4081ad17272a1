"""Reading a rendered plotext bar chart as a person would: labels, bars, and the printed axis."""

from __future__ import annotations

import re

SUFFIX = {"": 1.0, "k": 1e3, "M": 1e6}
COMPARISON_LINES = 4  # per strategy: two lines of the new bar, two of the saved one


def _value(label: str) -> float:
    match = re.fullmatch(r"([\d.]+)([kM]?)", label)
    assert match is not None, label
    return float(match.group(1)) * SUFFIX[match.group(2)]


def axis_scale(text: str) -> float:
    """Cells per unit on the x axis, from the first and last tick marks and their labels."""
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if "└" in line)
    ticks = [c for c, char in enumerate(lines[k]) if char == "┬"]
    labels = lines[k + 1].split()
    assert len(ticks) == len(labels) >= 3 and _value(labels[0]) == 0, text
    return (ticks[-1] - ticks[0]) / (_value(labels[-1]) - _value(labels[0]))


def cells(value: float, scale: float) -> float:
    """How many cells a bar from 0 to `value` covers on that axis (both ends included)."""
    return value * scale + 1


def bars(text: str, marker: str) -> dict[str, tuple[int, int]]:
    """For each labelled line: (cells of `marker`, plot width)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"\s*(\w+)┤(.*?)[│┬]?$", line)
        if m:
            out[m.group(1)] = (m.group(2).count(marker), len(m.group(2)))
    return out


def comparison_bars(text: str) -> list[tuple[str, int, int]]:
    """Top to bottom, (label, new cells, saved cells) of a saved-vs-new chart."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    body = lines[top + 1 : bottom]
    assert len(body) % COMPARISON_LINES == 0, text
    found = []
    for k in range(0, len(body), COMPARISON_LINES):
        group = body[k : k + COMPARISON_LINES]
        labels = [m.group(1) for line in group if (m := re.match(r"\s*(\w+)┤", line))]
        assert len(labels) == 1, (group, text)
        new = max(line.count("█") for line in group)
        saved = max(line.count("░") for line in group)
        found.append((labels[0], new, saved))
    return found
