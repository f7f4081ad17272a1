"""The facts that make a measurement comparable: versions, CPUs, where it ran, how far."""

import os
import platform
from importlib.metadata import version

from advisor import __version__
from advisor.bench.latency import measure_rtt
from advisor.bench.server import Target
from advisor.results import Environment


def collect(target: Target, proxied: Target | None = None) -> Environment:
    """`proxied`: the same server behind the latency proxy, when the run goes through it."""
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
    )
