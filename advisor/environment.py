"""The facts that make a measurement comparable: versions, CPUs, and where it ran."""

import os
import platform
from importlib.metadata import version

from advisor import __version__
from advisor.results import Environment
from advisor.server import Target


def collect(target: Target) -> Environment:
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
    )
