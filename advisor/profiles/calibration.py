"""Calibration: every available strategy probed briefly on a target, cached with its date.

`advisor calibrate` measures each strategy at CALIBRATION_ROWS (a small sweep: the two
volumes give the per-run fixed cost and the per-row slope) and stores the verified points in
the user's data directory, one file per target and machine. `advisor recommend` then
estimates from them instead of the reference figures, and the card says "calibrated on this
machine, DATE".
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.advice.estimates import Calibrated, Measurement, measurements_from_report
from advisor.results import BenchPlan, SweepReport
from advisor.strategy_info import ALL_IDS, STRATEGIES

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from advisor.bench.events import SweepEvent
    from advisor.bench.server import Target

CALIBRATION_ROWS = (1_000, 10_000)
DATA_DIR_ENV = "ADVISOR_DATA_DIR"  # overrides the platform's user data directory


@dataclass(frozen=True)
class Calibration:
    taken: str  # ISO date and time
    machine: str
    target: str  # the target's description, never a password
    measurements: tuple[Measurement, ...]

    @property
    def origin(self) -> str:
        """How estimates from it are labelled."""
        return f"calibrated on this machine, {self.taken[:10]}, on {self.target}"

    @property
    def fill_in(self) -> Calibrated:
        """Its figures as the estimates of the strategies a measurement leaves out."""
        return Calibrated(self.measurements, self.taken[:10])


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("pg-insert-advisor", appauthor=False))


def _machine() -> str:
    return f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs)"


def path_for(location: str) -> Path:
    """One file per target location and machine."""
    key = hashlib.sha256(f"{_machine()}|{location}".encode()).hexdigest()[:16]
    return data_dir() / "calibration" / f"{key}.json"


def calibrate(
    target: Target,
    on_event: Callable[[SweepEvent], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Calibration, Path]:
    """Probe every available strategy on `target` and save the figures; the file's path."""
    from advisor.bench.sweep import run_sweep

    available = [sid for sid in ALL_IDS if STRATEGIES[sid].missing_module() is None]
    plan = BenchPlan(repeat=1, warmup=1, strategies=available, memory=False, ceiling=False)
    description = target.info().describe()
    sweep = run_sweep(target, plan, list(CALIBRATION_ROWS), on_event, cancel)
    result = from_sweep(sweep, description)
    return result, save(result, target.location)


def from_sweep(sweep: SweepReport, target: str) -> Calibration:
    points = tuple(m for point in sweep.points for m in measurements_from_report(point))
    return Calibration(datetime.now(UTC).isoformat(timespec="seconds"), _machine(), target, points)


def save(calibration: Calibration, location: str) -> Path:
    """Write atomically; the data directory is created when missing."""
    path = path_for(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "taken": calibration.taken,
        "machine": calibration.machine,
        "target": calibration.target,
        "measurements": [
            {"strategy": m.strategy, "rows": m.rows, "seconds": m.seconds}
            for m in calibration.measurements
        ],
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".calibration-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(location: str) -> Calibration | None:
    """The cached calibration for `location` on this machine; None when there is none or it
    cannot be read (a damaged cache only means estimates fall back to reference figures)."""
    path = path_for(location)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(
            str(doc["taken"]),
            str(doc["machine"]),
            str(doc["target"]),
            tuple(
                Measurement(str(m["strategy"]), int(m["rows"]), float(m["seconds"]))
                for m in doc["measurements"]
            ),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
