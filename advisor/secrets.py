"""Secrets out of sight: a DSN or any text quoting one, with every libpq secret masked."""

from __future__ import annotations

import re

# libpq's parameters that hold a secret: those PQconndefaults() marks "*" (hide the value), and
# the SCRAM keys (marked "D", debug, but either one is enough to log in). passfile, sslkey and
# sslkeylogfile name files: they stay readable.
SECRET_PARAMS = (
    "password",
    "sslpassword",
    "oauth_client_secret",
    "scram_client_key",
    "scram_server_key",
)
_SECRET_KEY = "|".join(SECRET_PARAMS)
# One pass, left to right, over three forms, so that a secret is never rescanned as one of the
# others (a quoted password holding "?password=", say). re.ASCII: \s is then what libpq's
# isspace() takes (Python's also takes Unicode spaces, which libpq keeps inside a value).
_SECRET = re.compile(
    # URI userinfo: libpq ends it at the first "@" before any "/" (a raw "@" in the password
    # splits it); this runs to the last one, so no tail of the password is left.
    r"(?P<uri>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<uri_pw>[^/\s]*)(?=@)"
    # URI query parameter: libpq percent-decodes keys and values; a value ends at "&" only.
    r"|(?<=[?&])(?P<query>[^=&?\s]*=)(?P<query_pw>[^&\s]*)"
    # key = value, spaces around "=": quoted ('...' with \' and \\ escapes; to the end of
    # the text when unterminated) or bare (a backslash escapes a space). Not after ? or &:
    # there it is a query parameter, whose value ends at the next "&".
    rf"|(?<![\w?&])(?P<kv>(?:{_SECRET_KEY})\s*=\s*)"
    r"(?P<kv_pw>'(?:[^'\\]|\\.)*(?:'|\\?\Z)|(?:[^'\\\s]|\\.)(?:[^\\\s]|\\.)*\\?)",
    re.IGNORECASE | re.ASCII | re.DOTALL,
)
_SHORTEST_LOOSE_SECRET = 4  # shorter ones are hidden only where a DSN holds them
URI_AUTHORITY = re.compile(r"[a-z][a-z0-9+.-]*://([^/]*)", re.IGNORECASE)


def mask(text: str, *secrets: str) -> str:
    """Replace every secret in a DSN-like text (URI userinfo or query, key=value), and each
    of `secrets` wherever it appears, with ***; leave the rest of the text as it was.

    Works on any text, a valid DSN or not (an error message quoting one). A secret given
    here that is shorter than 4 characters is only hidden where a DSN holds it: replaced
    everywhere, it would garble the message around it."""
    text = _SECRET.sub(_hidden, text)
    for secret in secrets:
        if secret and len(secret) >= _SHORTEST_LOOSE_SECRET:
            text = text.replace(secret, "***")
    return text


def _hidden(match: re.Match[str]) -> str:
    from urllib.parse import unquote

    form = next(form for form in ("uri", "query", "kv") if match.group(form) is not None)
    head, value = match.group(form), match.group(f"{form}_pw")
    if form == "query" and unquote(head[:-1]).lower() not in SECRET_PARAMS:
        return head + mask(value)  # not a secret, but it may hold one (a malformed DSN)
    return head + ("***" if value else "")
