import pytest

from advisor.bench.server import Target, mask
from advisor.errors import InputError


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("postgresql://bob:s3cr3t@db.example:5432/app", "s3cr3t"),
        ("postgres://bob:p%40ss@host/db?sslmode=require", "p%40ss"),
        ("host=db user=bob password=s3cr3t dbname=app", "s3cr3t"),
        ("host=db password='with space' user=bob", "with space"),
        ("postgresql://bob@host/db?password=s3cr3t&sslmode=disable", "s3cr3t"),
        ("cannot connect to 'PASSWORD = s3cr3t host=x'", "s3cr3t"),
    ],
)
def test_mask_hides_passwords_in_every_dsn_form(text: str, secret: str) -> None:
    masked = mask(text)
    assert secret not in masked
    assert "***" in masked


def test_mask_leaves_dsns_without_password_alone() -> None:
    assert mask("postgresql://bob@host:5432/db") == "postgresql://bob@host:5432/db"
    assert mask("host=/tmp/sock dbname=x") == "host=/tmp/sock dbname=x"


def test_dsn_resolution_order() -> None:
    env = {"DATABASE_URL": "postgresql://a@h1/db", "ADVISOR_DSN": "postgresql://b@h2/db"}
    assert Target.resolve("postgresql://c@h3/db", env).dsn.endswith("h3/db")
    assert Target.resolve(None, env).dsn.endswith("h2/db")
    assert Target.resolve(None, {"DATABASE_URL": "postgresql://a@h1/db"}).dsn.endswith("h1/db")
    assert Target.resolve(None, {}).embedded


def test_sqlalchemy_style_urls_are_accepted() -> None:
    assert Target.resolve("postgresql+psycopg://u@h/db", {}).dsn == "postgresql://u@h/db"


def test_malformed_dsn_is_an_input_error_without_the_password() -> None:
    with pytest.raises(InputError) as err:
        Target.resolve("password=hunter2 nonsense_option=1", {})
    assert "hunter2" not in str(err.value)
    assert "nonsense_option" in str(err.value)
