"""A server over TCP with a password: the latency proxy's TCP path and masked connection errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from psycopg.conninfo import make_conninfo

from tests.cli_util import assert_usage_error, run_cli
from tests.tcp_server import TcpServer


def _assert_no_password(password: str, *texts: str) -> None:
    for text in texts:
        assert password not in text, text
        # The fragments a naive mask leaves: around the '@', the quote and the space.
        for piece in password.replace("'", " ").replace("@", " ").split():
            assert piece not in text or len(piece) < 4, (piece, text)


def test_bench_with_a_simulated_distance_on_a_tcp_server_verifies(
    capsys: pytest.CaptureFixture[str], tcp_server: TcpServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    args = ("--rtt-ms", "5", "--rows", "2000", "--strategies", "driver_copy", "--no-chart")
    result = run_cli(capsys, "bench", *args, "--dsn", tcp_server.dsn, "--json", str(out))
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert f"at 127.0.0.1:{tcp_server.port}/postgres as advisor" in result.err
    data = json.loads(out.read_text())
    assert data["plan"]["simulated_rtt_ms"] == 5
    assert [(r["strategy"], r["verified"]) for r in data["results"]] == [("driver_copy", True)]
    assert data["environment"]["proxied_rtt_ms"] >= 5
    _assert_no_password(tcp_server.password, result.out, result.err, out.read_text())


def test_a_wrong_password_on_tcp_is_one_masked_line(
    capsys: pytest.CaptureFixture[str], tcp_server: TcpServer
) -> None:
    wrong = tcp_server.password[::-1]
    dsn = make_conninfo(tcp_server.dsn, password=wrong)
    result = run_cli(capsys, "bench", "--rows", "100", "--strategies", "driver_copy", "--dsn", dsn)
    assert_usage_error(result, "bench", "password authentication failed")
    _assert_no_password(wrong, result.err, result.out)


def test_an_unknown_database_on_tcp_is_one_masked_line(
    capsys: pytest.CaptureFixture[str], tcp_server: TcpServer
) -> None:
    dsn = make_conninfo(tcp_server.dsn, dbname="no_such_db")
    result = run_cli(capsys, "bench", "--rows", "100", "--strategies", "driver_copy", "--dsn", dsn)
    assert_usage_error(result, "bench", '"no_such_db" does not exist')
    _assert_no_password(tcp_server.password, result.err, result.out)
