"""The insert strategies, by id (see `advisor.strategy_info` for what each one is).

Importing this registry imports no optional library: each strategy imports its own inside
its methods, so `advisor strategies` and the app start fast, and a strategy whose extra is
not installed is reported as n/a rather than breaking the import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.bench.strategies.aio import (
    AsyncCoreExecute,
    AsyncOrmAddAll,
    AsyncpgCopy,
    AsyncpgExecutemany,
    PsycopgAsyncCopy,
)
from advisor.bench.strategies.base import Strategy
from advisor.bench.strategies.core import CoreExecute
from advisor.bench.strategies.dataframe import (
    AdbcIngest,
    PandasCopy,
    PandasToSql,
    PandasToSqlMulti,
    PolarsAdbc,
)
from advisor.bench.strategies.driver import (
    DriverCopy,
    DriverCopyBinary,
    DriverExecutemany,
    DriverUnnest,
)
from advisor.bench.strategies.orm import OrmAddAll, OrmBulkInsert, OrmBulkSaveObjects
from advisor.bench.strategies.psycopg2 import Psycopg2CopyExpert, Psycopg2ExecuteValues
from advisor.results import Semantics

if TYPE_CHECKING:
    from advisor.bench.server import Target
    from advisor.bench.table import BenchTable

IMPLEMENTATIONS: dict[str, type[Strategy]] = {
    cls.info.id: cls
    for cls in (
        OrmAddAll,
        OrmBulkSaveObjects,
        OrmBulkInsert,
        CoreExecute,
        DriverExecutemany,
        DriverCopy,
        DriverCopyBinary,
        DriverUnnest,
        PandasToSql,
        PandasToSqlMulti,
        PandasCopy,
        PolarsAdbc,
        AdbcIngest,
        AsyncOrmAddAll,
        AsyncCoreExecute,
        AsyncpgExecutemany,
        AsyncpgCopy,
        PsycopgAsyncCopy,
        Psycopg2ExecuteValues,
        Psycopg2CopyExpert,
    )
}


def create(strategy_id: str, target: Target, table: BenchTable) -> Strategy:
    return IMPLEMENTATIONS[strategy_id](target, table)


def unsupported(strategy_id: str, semantics: Semantics) -> str | None:
    """Why `strategy_id` cannot run `semantics` (it is shown as n/a), or None."""
    return IMPLEMENTATIONS[strategy_id].unsupported(semantics)


__all__ = ["IMPLEMENTATIONS", "Strategy", "create", "unsupported"]
