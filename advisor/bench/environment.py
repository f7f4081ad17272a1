"""The facts that make a measurement comparable: versions, CPUs, where it ran, how far."""

import os
import platform
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from advisor import __version__
from advisor.bench.latency import measure_rtt
from advisor.bench.server import Target
from advisor.results import Environment
from advisor.strategy_info import STRATEGIES

# The distribution behind each optional module, when the names differ.
_DISTRIBUTIONS = {
    "adbc_driver_postgresql": "adbc-driver-postgresql",
    "psycopg2": "psycopg2-binary",
}


def library_versions(strategies: Iterable[str]) -> dict[str, str]:
    """Versions of the optional libraries these strategies use, read from the installed
    metadata (no import); a library that is not installed is left out."""
    out: dict[str, str] = {}
    for module in sorted({m for sid in strategies for m in STRATEGIES[sid].modules}):
        name = _DISTRIBUTIONS.get(module, module)
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def collect(
    target: Target, proxied: Target | None = None, strategies: Iterable[str] = ()
) -> Environment:
    """`proxied`: the same server behind the latency proxy, when the run goes through it;
    `strategies`: those planned, whose optional libraries' versions are recorded."""
    import psycopg

    info = target.info()
    libpq = psycopg.pq.version()
    return Environment(
        advisor=__version__,
        python=platform.python_version(),
        platform=platform.platform(terse=True),
        cpu_count=os.cpu_count() or 1,
        psycopg=version("psycopg"),
        libpq=f"{libpq // 10000}.{libpq % 10000}",
        sqlalchemy=version("sqlalchemy"),
        server_version=info.server_version,
        target=info.location,
        target_description=info.describe(),
        rtt_ms=measure_rtt(target),
        proxied_rtt_ms=None if proxied is None else measure_rtt(proxied),
        libraries=library_versions(strategies),
    )
