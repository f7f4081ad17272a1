"""`advisor calibrate`: a short probe of every available strategy, cached for `recommend`."""

from __future__ import annotations

import time

import click

from advisor.cli.interrupts import STOP
from advisor.cli.options import dsn_option


@click.command()
@dsn_option
def calibrate(dsn: str | None) -> None:
    """Probe every available strategy briefly, so that `recommend` estimates for this machine.

    Each strategy inserts 1,000 and then 10,000 standard rows (one warmup and one timed,
    verified run at each volume) on the embedded server, or on --dsn. The figures are saved
    in your data directory, one file per server and machine, with their date; `advisor
    recommend` uses them instead of the reference figures until you calibrate again (the
    card then says "calibrated on this machine, DATE"). --from-bench still takes precedence.
    Takes about 10-15 s.
    """
    from advisor.bench.server import Target
    from advisor.cli.bench import BenchProgress
    from advisor.profiles import calibration
    from advisor.strategy_info import ALL_IDS

    t0 = time.monotonic()
    with Target.resolve(dsn) as target, BenchProgress() as progress:
        result, path = calibration.calibrate(target, progress.handle, STOP)
    measured = sorted({m.strategy for m in result.measurements})
    missing = [sid for sid in ALL_IDS if sid not in measured]
    click.echo(
        f"calibrated {len(measured)} strategies in {time.monotonic() - t0:.1f} s "
        f"({', '.join(f'{r:,}' for r in calibration.CALIBRATION_ROWS)} rows each); saved {path}"
    )
    if missing:
        click.echo(f"not calibrated (unavailable or unverified): {', '.join(missing)}")
