"""Parsing and formatting of counts, durations and rates shared by the CLI, TUI and reports."""

import math
import re

from advisor.errors import InputError

_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
_COUNT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmg]?)\s*$", re.IGNORECASE)


def parse_count(text: str | int, what: str = "rows", maximum: int | None = None) -> int:
    """Parse a positive row count: `500`, `10k`, `2M`, `1e6`, `1_000_000`, `2.5k`, at most
    `maximum` (one of advisor.limits)."""
    if isinstance(text, int) and not isinstance(text, bool):
        value: float = text
    else:
        match = _COUNT.match(str(text).replace("_", "").replace(",", ""))
        if not match:
            raise InputError(
                f"{what} must be a positive count like 500, 10k, 2M or 1e6, not {text!r}"
            )
        value = float(match.group(1)) * _SUFFIXES[match.group(2).lower()]
    if not math.isfinite(value) or value != int(value):
        raise InputError(f"{what} must be a whole number, not {text!r}")
    if value <= 0:
        raise InputError(f"{what} must be at least 1, not {text!r}")
    if maximum is not None and value > maximum:
        raise InputError(f"{what} must be at most {maximum:,}, not {text!r}")
    return int(value)


def counted(n: int, noun: str) -> str:
    """`1 run`, `3 runs`: a count and its noun, singular for one."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def parse_share(text: str, what: str = "conflicts") -> float:
    """Parse a share from 0 to 1: `0`, `0.25`, `1`."""
    try:
        share = float(text)
    except ValueError:
        share = math.nan
    if not 0 <= share <= 1:  # NaN fails this too
        raise InputError(f"{what} must be a share from 0 to 1 such as 0.5, not {text!r}")
    return share


def format_count(n: float) -> str:
    """Compact human count: 950, 12.3k, 1.6M."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= size:
            return f"{n / size:.3g}{suffix}"
    return f"{n:.0f}"


def format_seconds(s: float) -> str:
    """Duration with three significant digits: 850 µs, 12.3 ms, 4.56 s, 2 h 05 min."""
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    if s < 120:
        return f"{s:.3g} s"
    if s < 7200:
        return f"{s / 60:.3g} min"
    hours, rest = divmod(round(s), 3600)
    if hours < 48:
        return f"{hours} h {rest // 60:02d} min"
    return f"{s / 86400:.3g} days"


def format_rate(rows_per_s: float) -> str:
    """Throughput such as `412k rows/s`."""
    return f"{format_count(rows_per_s)} rows/s"


def format_factor(x: float) -> str:
    """A ratio with two significant digits, never in e-notation: 0.038, 2.5, 250, 12,000."""
    if not math.isfinite(x) or x <= 0:
        return f"{x:g}"
    rounded = float(f"{x:.2g}")
    decimals = max(1 - math.floor(math.log10(rounded)), 0)  # for two significant digits
    return f"{rounded:,.{decimals}f}"
