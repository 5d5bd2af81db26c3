"""The portal works behind PgBouncer in transaction mode (Debian's package, started here)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from hackney_portal.devservices import free_port, terminate_group, wait_for_port
from tests.conftest import BASE_DIR

PGBOUNCER = Path("/usr/sbin/pgbouncer")
pytestmark = [
    pytest.mark.skipif(
        not PGBOUNCER.exists() and not os.environ.get("CI"),
        reason="apt-get install pgbouncer (make test does)",
    ),
    pytest.mark.timeout(120),
]


@pytest.fixture
def pgbouncer(tmp_path, transactional_db):
    db = settings.DATABASES["default"]
    port = free_port()
    folder = tmp_path / "pgbouncer"
    folder.mkdir()
    config = folder / "pgbouncer.ini"
    config.write_text(
        f"""[databases]
* = host={db["HOST"]} port={db["PORT"]} user={db["USER"]}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 2
max_client_conn = 50
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile =
pidfile =
"""
    )
    # PgBouncer refuses to run as root: it reads its configuration, then becomes nobody (logging to stderr).
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    proc = subprocess.Popen(
        [PGBOUNCER, *user, str(config)], start_new_session=True, stderr=subprocess.DEVNULL
    )
    wait_for_port(port, timeout=30, proc=proc)
    yield f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"
    terminate_group(proc)


def _probe(url: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "tests.core.pgbouncer_probe"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "PORTAL_IGNORE_SERVICES_FILE": "1", **env},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_portal_works_behind_pgbouncer_in_transaction_mode(pgbouncer):
    with psycopg.connect(pgbouncer, autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert _probe(pgbouncer, DATABASE_POOLER="pgbouncer") == "ok"


def test_without_the_pooler_setting_the_same_work_breaks(pgbouncer):
    # The probe is a real check: with psycopg's and Django's defaults, transaction pooling breaks it.
    started = time.monotonic()
    outcome = _probe(pgbouncer, DATABASE_POOLER="")
    assert outcome != "ok", f"expected a failure, got ok after {time.monotonic() - started:.1f}s"
    # ...and for the reasons the settings exist, not because PgBouncer was unreachable.
    assert any(why in outcome for why in ("prepared statement", "portal", "cursor")), outcome
