"""Which exceptions mean "this strategy cannot take these rows": a finding to report (the
strategy FAILED, with the library's message), never a crash of the whole benchmark.

Each library has its own base error, and some are not where one would look: pandas wraps
database errors in `pandas.errors.DatabaseError`, an OSError; asyncpg's client-side errors
derive from neither of its two bases; polars turns a Rust panic into pyo3's
`PanicException`, a BaseException (so `except Exception` would not even see it). The list
names them one by one instead of catching everything: KeyboardInterrupt, SystemExit and
our own bugs must still stop the run.
"""

from __future__ import annotations

import sys

# (module, attribute), looked up only in modules already imported: a library that was never
# imported raised nothing, and importing one here would cost its import time.
LIBRARY_ERRORS = (
    ("psycopg", "Error"),
    ("sqlalchemy.exc", "SQLAlchemyError"),
    ("asyncpg", "PostgresError"),
    ("asyncpg", "InterfaceError"),
    ("asyncpg.exceptions", "InternalClientError"),
    ("adbc_driver_manager", "Error"),
    ("psycopg2", "Error"),
    ("pandas.errors", "DatabaseError"),
    ("pyarrow", "ArrowException"),
    ("polars.exceptions", "PolarsError"),
    ("polars.exceptions", "PanicException"),
)
# Raised by the libraries for values they refuse (a bigint out of range, an invalid date).
VALUE_ERRORS: tuple[type[Exception], ...] = (ValueError, OverflowError)


class NativeInputError(ValueError):
    """The rows could not be turned into a strategy's native input (a frame, a table)."""


def finding_errors() -> tuple[type[BaseException], ...]:
    """The exception types that end one strategy as FAILED, as loaded right now."""
    found: list[type[BaseException]] = list(VALUE_ERRORS)
    for module_name, attribute in LIBRARY_ERRORS:
        module = sys.modules.get(module_name)
        error = getattr(module, attribute, None) if module is not None else None
        if isinstance(error, type) and issubclass(error, BaseException):
            found.append(error)
    return tuple(found)


def build_errors() -> tuple[type[BaseException], ...]:
    """What building a frame from rows raises for a value it cannot hold: the libraries'
    errors, the TypeError or ArithmeticError of a conversion (a list where a string goes),
    and the RuntimeError polars raises for some ("BindingsError: Decimal is too large to fit
    in Decimal128")."""
    return (*finding_errors(), TypeError, ArithmeticError, RuntimeError)
