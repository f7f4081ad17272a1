"""The eight insert strategies, by id (see `advisor.catalog` for what each one is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.strategies.base import Strategy
from advisor.strategies.core import CoreExecute
from advisor.strategies.driver import DriverCopy, DriverCopyBinary, DriverExecutemany, DriverUnnest
from advisor.strategies.orm import OrmAddAll, OrmBulkInsert, OrmBulkSaveObjects

if TYPE_CHECKING:
    from advisor.benchtable import BenchTable
    from advisor.server import Target

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
    )
}


def create(strategy_id: str, target: Target, table: BenchTable) -> Strategy:
    return IMPLEMENTATIONS[strategy_id](target, table)


__all__ = ["IMPLEMENTATIONS", "Strategy", "create"]
