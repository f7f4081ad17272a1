import pytest

from advisor.bench.server import Target
from advisor.errors import InputError
from advisor.secrets import mask


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "postgresql://bob:s3cr3t@db.example:5432/app",
            "postgresql://bob:***@db.example:5432/app",
        ),
        (
            "postgres://bob:p%40ss@host/db?sslmode=require",
            "postgres://bob:***@host/db?sslmode=require",
        ),
        ("host=db user=bob password=s3cr3t dbname=app", "host=db user=bob password=*** dbname=app"),
        ("host=db password='with space' user=bob", "host=db password=*** user=bob"),
        (
            "postgresql://bob@host/db?password=s3cr3t&sslmode=disable",
            "postgresql://bob@host/db?password=***&sslmode=disable",
        ),
        (
            "cannot connect to 'PASSWORD = s3cr3t host=x'",
            "cannot connect to 'PASSWORD = *** host=x'",
        ),
    ],
)
def test_mask_hides_the_password_and_only_the_password(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_mask_also_hides_a_known_secret_wherever_it_is() -> None:
    assert mask("failed for s3cr3t at db", "s3cr3t") == "failed for *** at db"


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
