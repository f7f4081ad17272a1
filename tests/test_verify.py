from datetime import UTC, datetime

from advisor.tables import STANDARD
from advisor.verify import ChecksumBuilder, canonical, first_difference, verifier_for


def _checksum(rows: list[tuple[object, ...]], key: object = None) -> object:
    builder = ChecksumBuilder(key)  # type: ignore[arg-type]
    builder.add(rows)
    return builder.result()


def test_checksum_ignores_order_but_not_content() -> None:
    rows = [(1, "a"), (2, "b"), (3, "c")]
    assert _checksum(rows) == _checksum(list(reversed(rows)))
    assert _checksum(rows) != _checksum([(1, "a"), (2, "b"), (3, "C")])
    assert _checksum(rows) != _checksum(rows[:2])
    assert _checksum([*rows, (1, "a")]) != _checksum(rows), "a duplicated row is a difference"


def test_canonical_values_tell_apart_what_equality_does_not() -> None:
    assert canonical(-0.0) != canonical(0.0)
    assert canonical(float("nan")) == canonical(float("nan"))
    assert canonical([1.0, [2.0]]) == (1.0, (2.0,))
    assert canonical({"b": 1, "a": 2}) == canonical({"a": 2, "b": 1})


def test_float_columns_are_compared_by_their_bits() -> None:
    verifier = verifier_for(STANDARD, lambda n: f'"{n}"')
    assert 'float8send("score")' in verifier.select_list
    key = verifier.expected_key
    assert key is not None
    t = datetime(2024, 1, 1, tzinfo=UTC)
    assert key((1, "n", "e", -0.0, True, t)) != key((1, "n", "e", 0.0, True, t))
    assert key((1, "n", "e", None, True, t)) != key((1, "n", "e", 0.0, True, t))


def test_first_difference_names_row_column_and_values() -> None:
    sent = [(1, "a\tb", 1.5), (2, "x", 2.5)]
    stored = [(1, "a b", 1.5), (2, "x", 2.5)]
    found = first_difference(sent, stored, ["id", "name", "score"])
    assert "input row 1" in found and "'name'" in found
    assert "'a\\tb'" in found and "'a b'" in found


def test_first_difference_reports_missing_and_extra_rows() -> None:
    sent = [(1, "a"), (2, "b")]
    assert "missing" in first_difference(sent, [(1, "a")], ["id", "name"])
    assert "unexpected" in first_difference(sent, [*sent, (3, "c")], ["id", "name"])
    assert first_difference(sent, list(reversed(sent)), ["id", "name"]) == ""
