import pytest

from advisor.errors import InputError
from advisor.strategy_info import ALL_IDS, GROUPS, SYNC_IDS, parse_strategy_ids
from advisor.units import counted, format_count, format_factor, format_seconds, parse_count
from tests.plans import STRATEGY_IDS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500", 500),
        ("10k", 10_000),
        ("2M", 2_000_000),
        ("1e6", 1_000_000),
        ("2.5k", 2_500),
        ("1_000", 1_000),
        (" 3K ", 3_000),
        (7, 7),
        ("1g", 1_000_000_000),
    ],
)
def test_parse_count_accepts_human_counts(text: str | int, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["0", "-5", "abc", "1.5", "10x", "", "1e-3", "nan", "inf", "0k"])
def test_parse_count_rejects_with_a_clear_message(text: str) -> None:
    with pytest.raises(InputError, match="rows must"):
        parse_count(text)


def test_formatting_keeps_three_significant_digits() -> None:
    assert format_count(1_600_000) == "1.6M"
    assert format_count(65_432) == "65.4k"
    assert format_count(950) == "950"
    assert format_seconds(0.0000123) == "12 µs"
    assert format_seconds(0.0123) == "12.3 ms"
    assert format_seconds(4.567) == "4.57 s"
    assert format_seconds(3600 * 3 + 300) == "3 h 05 min"


@pytest.mark.parametrize(
    ("factor", "text"),
    [
        (0.0384, "0.038"),
        (0.999, "1.0"),
        (2.46, "2.5"),
        (9.96, "10"),
        (250.3, "250"),
        (1e7, "10,000,000"),
    ],
)
def test_factors_have_two_significant_digits_and_no_e_notation(factor: float, text: str) -> None:
    assert format_factor(factor) == text


def test_counted_is_singular_for_one() -> None:
    assert (counted(1, "row"), counted(2_000, "row")) == ("1 row", "2,000 rows")


def test_strategy_ids_all_and_lists_keep_catalog_order() -> None:
    assert parse_strategy_ids("all") == list(STRATEGY_IDS)
    assert parse_strategy_ids("driver_copy, orm_add_all,driver_copy") == [
        "orm_add_all",
        "driver_copy",
    ]


def test_group_names_expand_in_catalog_order() -> None:
    assert parse_strategy_ids("sync") == list(SYNC_IDS)
    assert parse_strategy_ids("psycopg2,driver_copy") == [
        "driver_copy",
        "psycopg2_execute_values",
        "psycopg2_copy_expert",
    ]
    assert parse_strategy_ids("async") == list(GROUPS["async"])
    assert set(parse_strategy_ids("sync,dataframe,async,psycopg2")) == set(ALL_IDS)


def test_unknown_strategy_suggests_the_closest_and_names_the_groups() -> None:
    with pytest.raises(InputError) as err:
        parse_strategy_ids("driver_cpy")
    message = str(err.value)
    assert "did you mean 'driver_copy'" in message
    assert "groups: all, sync, dataframe, async, psycopg2" in message
    assert "`advisor strategies`" in message
    with pytest.raises(InputError, match="did you mean 'dataframe'"):
        parse_strategy_ids("dataframes")
