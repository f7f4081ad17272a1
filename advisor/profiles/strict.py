"""Strict loading of parsed TOML/JSON into dataclasses.

The dataclass is the schema: its fields are the allowed keys, its type hints the allowed
types. Errors name the key path, what was expected, and the closest valid key.
"""

from __future__ import annotations

import types
from dataclasses import MISSING, fields, is_dataclass
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from advisor.errors import InputError
from advisor.strategy_info import suggest

T = TypeVar("T")

_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


class SchemaError(InputError):
    """A value does not fit the schema; the message starts with the key path."""


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _expected(tp: Any) -> str:
    origin = get_origin(tp)
    if origin in (list, tuple):
        return f"an array of {_expected(get_args(tp)[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin is dict or is_dataclass(tp):
        return "a table"
    if isinstance(tp, type) and issubclass(tp, Enum):
        return "one of " + ", ".join(repr(m.value) for m in tp)
    return _NAMES.get(tp, str(tp))


def load(cls: type[T], data: Any, path: str, derived: frozenset[str] = frozenset()) -> T:
    """Build `cls` from a table; `derived` keys are accepted and ignored (recomputed)."""
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected a table, got {_kind(data)}")
    hints = get_type_hints(cls)
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    for key in data:
        if key not in hints and key not in derived:
            raise SchemaError(f"{path}: unknown key {key!r}{suggest(key, names + sorted(derived))}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = convert(data[f.name], hints[f.name], f"{path}.{f.name}")
        elif f.default is MISSING and f.default_factory is MISSING:
            raise SchemaError(f"{path}: missing key {f.name!r}")
    return cls(**kwargs)


def convert(value: Any, tp: Any, path: str) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if value is None and len(options) < len(args):
            return None
        if len(options) == 1:
            return convert(value, options[0], path)
        raise TypeError(f"unsupported union {tp}")
    if origin in (list, tuple):  # tuple only as tuple[X, ...]
        if not isinstance(value, list):
            raise SchemaError(f"{path}: expected {_expected(tp)}, got {_kind(value)}")
        items = [convert(v, args[0], f"{path}[{i}]") for i, v in enumerate(value)]
        return items if origin is list else tuple(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise SchemaError(f"{path}: expected a table, got {_kind(value)}")
        return {str(k): convert(v, args[1], f"{path}.{k}") for k, v in value.items()}
    if is_dataclass(tp) and isinstance(tp, type):
        return load(tp, value, path)
    if isinstance(tp, type) and issubclass(tp, Enum):
        choices = [m.value for m in tp]
        if value not in choices:
            hint = suggest(str(value), [str(c) for c in choices])
            raise SchemaError(f"{path}: expected {_expected(tp)}, got {_kind(value)}{hint}")
        return tp(value)
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tp in (str, bool) and isinstance(value, tp):
        return value
    if tp in _NAMES:
        raise SchemaError(f"{path}: expected {_expected(tp)}, got {_kind(value)}")
    raise TypeError(f"unsupported type {tp} at {path}")


def prune(value: Any) -> Any:
    """Drop None (TOML has no null) recursively from tables and arrays of tables."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def load_parts(data: Any, path: str, *classes: type[Any]) -> list[Any]:
    """Load one table whose keys are shared out between several dataclasses."""
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected a table, got {_kind(data)}")
    owners = {f.name: cls for cls in classes for f in fields(cls)}
    for key in data:
        if key not in owners:
            raise SchemaError(f"{path}: unknown key {key!r}{suggest(key, list(owners))}")
    return [load(cls, {k: v for k, v in data.items() if owners[k] is cls}, path) for cls in classes]
