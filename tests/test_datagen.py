from datetime import UTC

from advisor.bench.data.datagen import BLOCK, StandardData


def test_rows_are_deterministic_and_independent_of_slicing() -> None:
    data = StandardData(seed=7)
    whole = data.rows(0, BLOCK * 2 + 500)
    pieces = data.rows(0, 3_000) + data.rows(3_000, BLOCK * 2 + 500 - 3_000)
    assert whole == pieces
    assert StandardData(seed=7).rows(12_345, 10) == whole[12_345:12_355]


def test_seed_changes_the_data() -> None:
    assert StandardData(seed=1).rows(0, 100) != StandardData(seed=2).rows(0, 100)


def test_rows_fit_the_standard_table() -> None:
    rows = StandardData().rows(0, 5_000)
    ids = [r[0] for r in rows]
    assert ids == list(range(1, 5_001))
    assert len({r[2] for r in rows}) == 5_000  # emails are unique
    for _id, name, email, score, active, created in rows:
        assert name and "@" in email
        assert score is None or 0.0 <= score <= 100.0
        assert isinstance(active, bool)
        assert created.tzinfo is UTC
    assert any(r[3] is None for r in rows), "score is nullable and some rows use that"
