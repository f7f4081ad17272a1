"""Strict loading: the dataclass is the schema, errors name the key."""

from dataclasses import dataclass, field
from enum import StrEnum

import pytest

from advisor.profiles.strict import SchemaError, convert, load, load_parts, prune


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


@dataclass
class Inner:
    size: int
    ratio: float = 1.0


@dataclass
class Outer:
    name: str
    colour: Colour
    tags: tuple[str, ...] = ()
    inner: list[Inner] = field(default_factory=list)
    note: str | None = None
    rates: dict[str, float] = field(default_factory=dict)


def test_loads_nested_values_with_conversions() -> None:
    data = {
        "name": "x",
        "colour": "red",
        "tags": ["a", "b"],
        "inner": [{"size": 2, "ratio": 3}],
        "rates": {"k": 1},
    }
    got = load(Outer, data, "outer")
    assert got == Outer("x", Colour.RED, ("a", "b"), [Inner(2, 3.0)], None, {"k": 1.0})
    assert isinstance(got.inner[0].ratio, float)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "x", "colour": "red", "colour_": 1},
            "outer: unknown key 'colour_'; did you mean 'colour'?",
        ),
        ({"colour": "red"}, "outer: missing key 'name'"),
        ({"name": 3, "colour": "red"}, "outer.name: expected a string, got an integer"),
        (
            {"name": "x", "colour": "rde"},
            "outer.colour: expected one of 'red', 'green', got the string 'rde'; did you mean 'red'?",
        ),
        (
            {"name": "x", "colour": "red", "inner": [{"size": "2"}]},
            "outer.inner[0].size: expected an integer, got the string '2'",
        ),
        (
            {"name": "x", "colour": "red", "inner": [{"size": True}]},
            "outer.inner[0].size: expected an integer, got a boolean",
        ),
        (
            {"name": "x", "colour": "red", "tags": "a"},
            "outer.tags: expected an array of strings, got the string 'a'",
        ),
        (
            {"name": "x", "colour": "red", "inner": [{"size": 1, "sise": 2}]},
            "outer.inner[0]: unknown key 'sise'; did you mean 'size'?",
        ),
    ],
)
def test_errors_name_the_key_and_what_was_expected(data: dict[str, object], message: str) -> None:
    with pytest.raises(SchemaError) as err:
        load(Outer, data, "outer")
    assert str(err.value) == message


def test_derived_keys_are_accepted_and_ignored() -> None:
    assert load(Inner, {"size": 1, "median": 5.0}, "i", frozenset({"median"})) == Inner(1)


def test_load_parts_shares_one_table_and_suggests_across_all_parts() -> None:
    inner, note = load_parts({"size": 4, "name": "n", "colour": "green"}, "t", Inner, Outer)
    assert inner == Inner(4) and note.name == "n"
    with pytest.raises(SchemaError, match="unknown key 'ratoi'; did you mean 'ratio'"):
        load_parts({"ratoi": 1}, "t", Inner, Outer)


def test_prune_drops_nulls_that_toml_cannot_hold() -> None:
    assert prune({"a": None, "b": [{"c": None, "d": 1}], "e": {"f": None}}) == {
        "b": [{"d": 1}],
        "e": {},
    }
    assert convert(None, str | None, "x") is None
