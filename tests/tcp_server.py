"""A PostgreSQL listening on loopback TCP with password (SCRAM) authentication.

The embedded server is reached over a unix socket with trust authentication, so it cannot show
what only a TCP server with a password does (the latency proxy's TCP path, a masked password in
connection errors). This one is Debian's postgresql-15, created once per test session in a
temporary directory and deleted at the end. initdb and postgres refuse to run as root: as root
they run as `nobody`, which owns the directory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg.conninfo import make_conninfo

PG_BIN = Path("/usr/lib/postgresql/15/bin")
USER = "advisor"
RUN_AS = "nobody"


@dataclass(frozen=True)
class TcpServer:
    port: int
    password: str

    @property
    def dsn(self) -> str:
        return make_conninfo(
            host="127.0.0.1", port=self.port, user=USER, password=self.password, dbname="postgres"
        )


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def tcp_server() -> Iterator[TcpServer]:
    """A running PostgreSQL 15 on 127.0.0.1 whose only login is USER with a password."""
    if not (PG_BIN / "initdb").is_file():
        pytest.skip(f"no PostgreSQL binaries in {PG_BIN} (Debian's postgresql-15)")
    run_as: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: initdb refuses to run as root")
        run_as = ["runuser", "-u", RUN_AS, "--"]
    # The password has the characters that break naive masking: '@', quotes, a space.
    password = f"{secrets.token_urlsafe(9)}@x' y"
    # Directly under /tmp: pytest's own temporary tree is closed to the unprivileged user.
    root = Path(tempfile.mkdtemp(prefix="advisor-test-tcp-"))
    data, pwfile = root / "data", root / "pw"
    pwfile.write_text(password + "\n")
    if run_as:
        shutil.chown(root, RUN_AS)
        shutil.chown(pwfile, RUN_AS)

    def pg(tool: str, *args: str) -> None:
        subprocess.run(
            [*run_as, str(PG_BIN / tool), *args], check=True, capture_output=True, cwd=root
        )

    started = False
    try:
        pg("initdb", "--no-sync", "-D", str(data), "-U", USER, "--auth=scram-sha-256",
           f"--pwfile={pwfile}", "-E", "UTF8")  # fmt: skip
        port = _free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories=''"
        pg("pg_ctl", "-w", "-D", str(data), "-l", str(root / "log"), "-o", options, "start")
        started = True
        yield TcpServer(port=port, password=password)
    finally:
        if started:
            pg("pg_ctl", "-w", "-D", str(data), "-m", "fast", "stop")
        shutil.rmtree(root, ignore_errors=True)
