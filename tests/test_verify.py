import struct
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from advisor.bench.data.datagen import Row
from advisor.bench.server import Sandbox, Target
from advisor.bench.table import BenchTable
from advisor.bench.verify import (
    ChecksumBuilder,
    Verifier,
    canonical,
    column_check,
    first_difference,
    register_infinity_loaders,
    verifier_for,
)
from advisor.tables import STANDARD, Column, TableSpec


def _checksum(rows: Sequence[Row]) -> object:
    builder = ChecksumBuilder(None)
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


def _verifier(*columns: Column) -> Verifier:
    return verifier_for(TableSpec("t", columns, ""), lambda n: f'"{n}"')


def test_first_difference_names_row_column_and_values() -> None:
    v = _verifier(
        Column("id", "bigint"), Column("name", "text"), Column("score", "double precision")
    )
    bits = struct.Struct(">d").pack
    sent = [(1, "a\tb", 1.5), (2, "x", 2.5)]
    stored = [(1, "a b", bits(1.5)), (2, "x", bits(2.5))]  # floats are fetched as bits
    found = first_difference(sent, stored, ["id", "name", "score"], v)
    assert "input row 1" in found and "'name'" in found
    assert "'a\\tb'" in found and "'a b'" in found
    found = first_difference(
        sent, [(1, "a\tb", bits(1.5)), (2, "x", bits(-2.5))], ["id", "name", "score"], v
    )
    assert found == "input row 2, column 'score': sent 2.5, stored -2.5"


def test_first_difference_reports_missing_and_extra_rows() -> None:
    v = _verifier(Column("id", "bigint"), Column("name", "text"))
    sent = [(1, "a"), (2, "b")]
    assert "missing" in first_difference(sent, [(1, "a")], ["id", "name"], v)
    assert "unexpected" in first_difference(sent, [*sent, (3, "c")], ["id", "name"], v)
    assert first_difference(sent, list(reversed(sent)), ["id", "name"], v) == ""


def test_first_difference_shows_where_long_strings_differ() -> None:
    v = _verifier(Column("txt", "text"))
    long = "x" * 5_000 + "\r\n" + "y" * 5_000
    found = first_difference([(long,)], [(long.replace("\r", ""),)], ["txt"], v)
    assert "first difference at position 5001" in found
    assert "\\r\\n" in found and "10002 long" in found and "10001 long" in found


def _same(column: Column, sent: object, fetched: object) -> bool:
    return column_check(column).same(sent, fetched)


def test_json_is_compared_as_data_and_a_json_null_is_not_sql_null() -> None:
    doc = Column("doc", "jsonb")
    assert column_check(doc).expr == "{c}::text"
    assert _same(doc, {"b": 1, "a": [1, 2.5]}, '{"a": [1, 2.5], "b": 1}')
    assert not _same(doc, {"a": 1}, '{"a": 2}')
    assert _same(doc, None, None)
    assert not _same(doc, None, "null"), "SQLAlchemy's default stores None as a JSON null"
    docs = Column("docs", "jsonb[]")
    assert _same(docs, [{"b": 1, "a": 2}, None], ['{"a": 2, "b": 1}', None])
    assert not _same(docs, [None], ["null"])


def test_character_n_pads_and_a_declared_scale_compares_numerics_by_value() -> None:
    code = Column("code", "character(4)")
    assert _same(code, "ab", "ab  ")
    assert not _same(code, "ab", "ab")
    assert _same(Column("codes", "character(3)[]"), ["a", None], ["a  ", None])
    amount = Column("amount", "numeric(10,2)")  # PostgreSQL pads every value to scale 2
    assert _same(amount, Decimal("1.5"), Decimal("1.50"))
    assert _same(amount, Decimal("NaN"), Decimal("NaN"))
    assert not _same(amount, Decimal("1.5"), Decimal("1.51"))
    assert _same(
        Column("amounts", "numeric(6,1)[]"),
        [Decimal("NaN"), [Decimal(1)]],
        [Decimal("NaN"), [Decimal("1.0")]],
    )


def test_a_numeric_without_declared_scale_keeps_the_scale_it_was_sent_with() -> None:
    """ADBC sends Decimal("0.10") as 0.1: equal as Decimals, a different numeric."""
    number = Column("n", "numeric")
    assert not _same(number, Decimal("0.10"), Decimal("0.1"))
    assert not _same(number, Decimal("1"), Decimal("1.0"))
    assert _same(number, Decimal("0.10"), Decimal("0.10"))
    assert _same(number, Decimal("1E+100"), Decimal(10**100)), "stored with scale 0"
    assert _same(number, Decimal("-1E-30"), Decimal("-0.000000000000000000000000000001"))
    for special in ("NaN", "Infinity", "-Infinity"):
        assert _same(number, Decimal(special), Decimal(special))
    assert not _same(number, Decimal("Infinity"), Decimal("NaN")), "psycopg2's change"
    numbers = Column("ns", "numeric[]")
    assert not _same(numbers, [Decimal("0.10"), None], [Decimal("0.1"), None])
    assert _same(
        numbers, [[Decimal("NaN")], [Decimal("2.50")]], [[Decimal("NaN")], [Decimal("2.50")]]
    )
    found = first_difference(
        [(1, Decimal("0.10"))],
        [(1, Decimal("0.1"))],
        ["id", "n"],
        _verifier(Column("id", "bigint"), number),
    )
    assert found == "input row 1, column 'n': sent Decimal('0.10'), stored Decimal('0.1')"


def test_infinite_dates_and_timestamps_are_read_back_as_their_names(target: Target) -> None:
    """asyncpg stores date.min/max and datetime.min/max as -infinity/infinity: Python cannot
    hold those, and the verifier must show them rather than fail."""
    with target.connect() as conn, conn.cursor(binary=True) as cur:
        register_infinity_loaders(cur)
        row = cur.execute(
            "SELECT '-infinity'::date, 'infinity'::timestamp, '-infinity'::timestamptz,"
            " ARRAY['infinity'::date, NULL, '2024-02-29'], '2000-01-01'::date"
        ).fetchone()
    assert row is not None
    assert [str(v) for v in row[:3]] == ["-infinity", "infinity", "-infinity"]
    assert [str(v) if v else v for v in row[3]] == ["infinity", None, "2024-02-29"]
    assert row[4] == date(2000, 1, 1)
    found = first_difference(
        [(datetime(1, 1, 1),)], [row[1:2]], ["ts"], _verifier(Column("ts", "timestamp"))
    )
    assert (
        found == "input row 1, column 'ts': sent datetime.datetime(1, 1, 1, 0, 0), stored infinity"
    )


def test_enums_are_fetched_as_text_and_floats_in_arrays_keep_their_sign() -> None:
    mood = Column("mood", "shop.mood", labels=("sad", "ok"))
    assert column_check(mood).expr == "{c}::text"
    assert column_check(Column("moods", "shop.mood[]", labels=("sad",))).expr == "{c}::text[]"
    floats = Column("f", "double precision[]")
    assert _same(floats, [float("nan"), -0.0], [float("nan"), -0.0])
    assert not _same(floats, [-0.0], [0.0])
    assert not _same(Column("r", "real"), 0.1, struct.pack(">f", 0.2))


# Stored states the verifier tells apart, and that only an exact digest does too: each
# column's second value differs from its first where a plain hash of the column would not.
_DIGEST_PAIRS = {
    "f": ("0.0", "'-0'::float8"),  # float8's hash equates -0 and 0
    "n": ("0.10", "0.1"),  # numeric's hash ignores the scale
    "c": ("'ab'", "'ab'"),  # the same: a control
    "b": ("'ab'::bpchar", "'ab '::bpchar"),  # bpchar's hash ignores trailing blanks
    "j": ("'{\"a\": 1}'", "'{\"a\":1}'"),  # json has no hash; its text is what is stored
    "a": ("'{1.5,0}'::float8[]", "'{1.5,-0}'::float8[]"),
}


def test_the_server_digest_tells_apart_what_the_verifier_does(target: Target) -> None:
    spec = TableSpec(
        "digest_check",
        (
            Column("f", "double precision"),
            Column("n", "numeric"),
            Column("c", "character(3)"),
            Column("b", "bpchar"),
            Column("j", "json"),
            Column("a", "double precision[]"),
        ),
        "CREATE TABLE {table} (f float8, n numeric, c char(3), b bpchar, j json, a float8[])",
    )
    with Sandbox(target) as sandbox:
        table = BenchTable(sandbox, spec)
        table.create()
        first = ", ".join(before for before, _ in _DIGEST_PAIRS.values())
        sandbox.admin.execute(f"INSERT INTO {table.qualified} VALUES ({first})")
        reference = table.server_digest()
        assert reference is not None and reference.count == 1
        assert table.server_digest() == reference, "the same rows, the same digest"
        for column, (before, after) in _DIGEST_PAIRS.items():
            sandbox.admin.execute(f"UPDATE {table.qualified} SET {column} = {after}")
            changed = table.server_digest()
            assert (changed == reference) == (before == after), column
            sandbox.admin.execute(f"UPDATE {table.qualified} SET {column} = {before}")
        assert table.server_digest() == reference
        sandbox.admin.execute(f"INSERT INTO {table.qualified} VALUES ({first})")
        assert table.server_digest() != reference, "a duplicated row is a difference"
