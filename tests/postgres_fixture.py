"""A real PostgreSQL server with PostGIS, started and stopped for the tests.

The session fixture ``postgis`` creates a throw-away cluster with Debian's
``initdb`` (``postgresql``, ``postgresql-15-postgis-3``), starts it on a free
port of 127.0.0.1 with password (SCRAM) login, creates a database with the
``postgis`` extension, and stops and deletes it all at the end. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user.

Use it in a test module with ``from postgres_fixture import postgis``.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import require_or_skip

__all__ = ["PostgisServer", "postgis", "free_port"]


@dataclass(frozen=True)
class PostgisServer:
    """A running test server: where it is and how to log in."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def url(self) -> str:
        """The connection URL, without the password (as areas.toml holds it)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bindir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _has_postgis(bindir: Path) -> bool:
    version = bindir.parent.name
    return bool(glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control"))


@pytest.fixture(scope="session")
def postgis():
    """Start PostgreSQL with PostGIS; yield a :class:`PostgisServer`; stop it."""
    bindir = _bindir()
    if bindir is None:
        require_or_skip("PostgreSQL is not installed (apt-get install postgresql)")
    if not _has_postgis(bindir):
        require_or_skip("PostGIS is not installed (apt-get install postgresql-15-postgis-3)")
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            require_or_skip("running as root and there is no `postgres` user to run the server")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="areas-pg-"))
    data = base / "data"
    password = secrets.token_hex(12)
    pwfile = base / "pw"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if as_root:
        for p in (base, pwfile):
            os.chown(p, owner.pw_uid, owner.pw_gid)
    port = free_port()
    user = "areas_test"

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
        if done.returncode:
            pytest.fail(f"{' '.join(args)} failed: {done.stderr or done.stdout}")

    run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        user,
        f"--pwfile={pwfile}",
        "--auth-host=scram-sha-256",
        "--auth-local=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "-N",
    )
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(base / "log"),
        "-w",
        "start",
    )
    try:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=port,
            user=user,
            password=password,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute("CREATE DATABASE areas_test")
        with psycopg.connect(
            host="127.0.0.1",
            port=port,
            user=user,
            password=password,
            dbname="areas_test",
            autocommit=True,
        ) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield PostgisServer("127.0.0.1", port, user, password, "areas_test")
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)
