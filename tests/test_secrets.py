"""No secret of a DSN is ever shown: in `mask`'s output, in an error, in an export or a profile.

Property-based: DSNs are generated with a secret in every form libpq reads (URI userinfo, raw
or percent-encoded; URI query parameter, its key percent-encoded or not; key=value, bare with
backslash escapes or quoted, with spaces around "=") for every parameter that holds one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from advisor.bench.server import Target
from advisor.errors import InputError
from advisor.secrets import SECRET_PARAMS, mask
from tests.cli_util import Outcome, run_cli

REFERENCE = "Reference-Secret-9"
# What a secret may be: any text libpq can carry (no NUL, valid UTF-8).
SECRETS = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=24)
NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,9}", fullmatch=True)
SPACES = st.sampled_from(["", " ", "  ", "\t"])
# Characters a hand-written URI may hold raw in a password (libpq takes them; '@' it splits at).
URI_RAW = "!$&'()*+,;=:@#?~"
QUERY_RAW = "!$'()*+,;:@#?/~"


@dataclass(frozen=True)
class Dsn:
    """A DSN built around one secret; `build` puts any secret in the same place."""

    form: str
    key: str
    host: str
    dbname: str
    spaces: tuple[str, str]
    raw: str  # the characters left unencoded in a URI
    encode_key: bool
    position: int

    def build(self, secret: str) -> str:
        if self.form == "uri-userinfo":
            password = quote(secret, safe=self.raw)
            return f"postgresql://bob:{password}@{self.host}:5432/{self.dbname}?sslmode=disable"
        if self.form == "uri-query":
            key = "".join(f"%{ord(c):02X}" for c in self.key) if self.encode_key else self.key
            params = ["sslmode=disable", "application_name=app"]
            params.insert(self.position % 3, f"{key}={quote(secret, safe=self.raw)}")
            return f"postgresql://bob@{self.host}:5432/{self.dbname}?{'&'.join(params)}"
        before, after = self.spaces
        value = _kv_quoted(secret) if self.form == "kv-quoted" else _kv_bare(secret)
        params = [f"host={self.host}", f"dbname={self.dbname}", "sslmode=disable"]
        params.insert(self.position % 4, f"{self.key}{before}={after}{value}")
        return " ".join(params)

    @property
    def libpq_reads_it(self) -> bool:
        """False for a raw '@' in the userinfo, which libpq splits at (the mask must not)."""
        return not (self.form == "uri-userinfo" and "@" in self.raw)


def _kv_bare(secret: str) -> str:
    return "".join("\\" + c if c in "\\' \t\n\r\f\v" else c for c in secret)


def _kv_quoted(secret: str) -> str:
    return "'" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def dsns(draw: st.DrawFn, keys: tuple[str, ...] = SECRET_PARAMS) -> Dsn:
    form = draw(st.sampled_from(["uri-userinfo", "uri-query", "kv-bare", "kv-quoted"]))
    return Dsn(
        form=form,
        key="password" if form == "uri-userinfo" else draw(st.sampled_from(keys)),
        host=draw(NAMES),
        dbname=draw(NAMES),
        spaces=(draw(SPACES), draw(SPACES)),
        raw=draw(st.sampled_from(["", URI_RAW if form == "uri-userinfo" else QUERY_RAW])),
        encode_key=draw(st.booleans()),
        position=draw(st.integers(0, 3)),
    )


# How errors quote a DSN; mask must work on the whole message.
CONTEXTS = st.sampled_from(
    ["{}", "cannot connect to '{}': Connection refused", 'invalid DSN "{}"\nsecond line']
)


@settings(max_examples=500, deadline=None)
@given(dsn=dsns(), secret=SECRETS, context=CONTEXTS)
def test_mask_hides_every_secret_in_every_form_and_keeps_the_rest(
    dsn: Dsn, secret: str, context: str
) -> None:
    text = dsn.build(secret)
    if dsn.libpq_reads_it:  # the generator writes real DSNs: libpq reads our secret back
        assert conninfo_to_dict(text)[dsn.key] == secret
    masked = mask(context.format(text))
    # The output does not depend on the secret at all: no part, no length, nothing.
    assert masked == mask(context.format(dsn.build(REFERENCE)))
    assert REFERENCE[1:-1] not in masked and "***" in masked
    assert dsn.host in masked and dsn.dbname in masked and "sslmode=disable" in masked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("host=db sslpassword=k3y dbname=app", "host=db sslpassword=*** dbname=app"),
        (
            "postgresql://h/db?sslpassword=k3y&sslmode=disable",
            "postgresql://h/db?sslpassword=***&sslmode=disable",
        ),
        ("postgresql://bob:p@ss@h/db", "postgresql://bob:***@h/db"),
        (
            "postgresql://bob@h/db?password=secret&sslmode=disable",
            "postgresql://bob@h/db?password=***&sslmode=disable",
        ),
        ("host=h password = 'it\\'s a secret' port=5433", "host=h password = *** port=5433"),
        (
            "oauth_client_secret=s scram_client_key=k passfile=/p sslkey=/k",
            "oauth_client_secret=*** scram_client_key=*** passfile=/p sslkey=/k",
        ),
    ],
)
def test_mask_examples_from_the_safety_issue(text: str, expected: str) -> None:
    assert mask(text) == expected


def test_every_parameter_libpq_calls_secret_is_masked() -> None:
    hidden = {o.keyword.decode() for o in pq.Conninfo.get_defaults() if o.dispchar == b"*"}
    assert hidden <= set(SECRET_PARAMS)


def test_a_short_secret_is_masked_in_the_dsn_but_not_all_over_the_message() -> None:
    assert (
        mask("cannot connect to 'password=an host=db'", "an")
        == "cannot connect to 'password=*** host=db'"
    )


def test_a_raw_at_sign_in_a_uri_password_is_refused_before_libpq_splits_it() -> None:
    with pytest.raises(InputError, match="as %40") as err:
        Target.resolve("postgresql://bob:p@ss@db.example/app", {})
    assert "ss@" not in str(err.value) and "postgresql://bob:***@db.example/app" in str(err.value)


# Through the entry point. A Ω at both ends of the secret makes any piece of it that shows,
# the head or the tail, easy to see: nothing the tool prints has one.
def _marked(secret: str) -> str:
    return f"Ω{secret}Ω"


def _shows_secret(*texts: str) -> bool:
    return any(mark in text for text in texts for mark in ("Ω", quote("Ω")))


CLI = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)


@settings(CLI, max_examples=40)
@given(dsn=dsns(), secret=SECRETS, malformed=st.booleans(), via_env=st.booleans())
def test_no_secret_in_a_connection_error(
    capsys: pytest.CaptureFixture[str], dsn: Dsn, secret: str, malformed: bool, via_env: bool
) -> None:
    """A refused port (1 on loopback), or a DSN that libpq refuses to parse."""
    text = dsn.build(_marked(secret)).replace(f"{dsn.host}:5432", "127.0.0.1:1")
    text = text.replace(f"host={dsn.host}", "host=127.0.0.1 port=1")
    if malformed:
        text += "&no_such_option=1" if text.startswith("postgresql:") else " no_such_option=1"
    args = ("bench", "--rows", "100", "--strategies", "driver_copy", "--no-chart")
    with pytest.MonkeyPatch.context() as env:
        if via_env:
            env.setenv("ADVISOR_DSN", text)
            result = run_cli(capsys, *args)
        else:
            env.delenv("ADVISOR_DSN", raising=False)
            result = run_cli(capsys, *args, "--dsn", text)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and result.err.count("\n") == 1, result.err
    assert not _shows_secret(result.out, result.err), result.err


@settings(CLI, max_examples=6)
@given(
    form=st.sampled_from(["uri-userinfo", "uri-query", "kv"]),
    key=st.sampled_from(["password", "sslpassword", "oauth_client_secret"]),
    secret=SECRETS,
)
def test_no_secret_in_the_outputs_of_a_bench(
    capsys: pytest.CaptureFixture[str], dsn: str, tmp_path: Path, form: str, key: str, secret: str
) -> None:
    """The embedded server trusts every local login: a password is accepted and ignored."""
    marked = _marked(secret)
    if form == "uri-userinfo":
        assume(key == "password")
        with_secret = dsn.replace("postgres:@", f"postgres:{quote(marked, safe='')}@", 1)
    elif form == "uri-query":
        with_secret = f"{dsn}&{key}={quote(marked, safe='')}"
    else:
        with_secret = make_conninfo(dsn, **{key: marked})
    assert conninfo_to_dict(with_secret)[key] == marked
    out = tmp_path / f"run-{abs(hash((form, key, secret)))}"
    json_file, md_file, profile = (out.with_suffix(s) for s in (".json", ".md", ".toml"))
    result: Outcome = run_cli(
        capsys,
        "bench",
        *("--rows", "100", "--repeat", "1", "--warmup", "0", "--strategies", "driver_copy"),
        *("--no-ceiling", "--no-memory", "--no-chart", "--dsn", with_secret),
        *("--json", str(json_file), "--markdown", str(md_file), "--save", str(profile)),
    )
    assert result.code == 0, result.err
    files = [path.read_text(encoding="utf-8") for path in (json_file, md_file, profile)]
    assert not _shows_secret(result.out, result.err, *files)
