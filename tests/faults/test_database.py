"""PostgreSQL backends terminated under the application: the next request succeeds, and a payment interrupted
half-way leaves nothing half-written."""

import psycopg
import pytest
from django.db import connection

from payments import services
from payments.models import LedgerEntry, RentAccount
from tests.conftest import _test_database_url

pytestmark = pytest.mark.timeout(60)
# A backend blocked on the rent account's row lock (a row lock wait shows as a Lock wait on its query).
WAITING_ON_ACCOUNT = (
    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
    "AND query ILIKE '%%payments_rentaccount%%'"
)


def _terminate(pid: int) -> None:
    with psycopg.connect(_test_database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_terminated_connection_between_requests_is_replaced(live_server, transactional_db, settings):
    import urllib.request

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]

    def get(path):
        with urllib.request.urlopen(f"{live_server.url}{path}", timeout=20) as response:
            return response.status

    assert get("/housing-help/") == 200
    assert get("/jobs/") == 200  # the server thread now holds a persistent connection
    with psycopg.connect(_test_database_url(), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        ).fetchone()[0]
    assert killed >= 1
    connection.close()  # ours went too; the test's own teardown needs a fresh one
    # Django checks a reused connection when a request starts and reconnects if it is gone: no 500.
    assert get("/jobs/") == 200
    assert get("/pay-rent/") == 200


def test_a_payment_whose_connection_is_killed_half_way_leaves_nothing_half_written(transactional_db):
    import threading

    from django.db import connections

    from payments.models import Payment
    from tests.payments.conftest import CARD_OK, card_token, start_payment

    account = RentAccount.objects.create(
        reference="7710000000", postcode="E8 1EA", tenant_name="T", address="A", weekly_rent_pence=10_000
    )
    payment = start_payment(account, amount_pence=5_000)
    token = card_token(CARD_OK)
    # Hold the account's row lock so the payment stops inside its crediting transaction.
    holder = psycopg.connect(_test_database_url(), autocommit=False)
    holder.execute("SELECT id FROM payments_rentaccount WHERE id = %s FOR UPDATE", [account.pk])
    outcome = {}

    def pay():
        try:
            services.payment_pay_by_card(payment_id=payment.pk, card_token=token)
            outcome["ok"] = True
        except Exception as exc:  # noqa: BLE001 - the test inspects what the resident's request saw
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=pay)
    thread.start()
    try:
        with psycopg.connect(_test_database_url(), autocommit=True) as watcher:
            for _ in range(300):
                row = watcher.execute(WAITING_ON_ACCOUNT).fetchone()
                if row:
                    break
                thread.join(0.1)
            assert row, "the payment never reached the credit"
        _terminate(row[0])
        thread.join(30)
    finally:
        holder.rollback()
        holder.close()
    assert "error" in outcome
    # The crediting transaction died whole: no ledger row, no balance change, no "succeeded" without a credit.
    assert not LedgerEntry.objects.filter(payment=payment).exists()
    account.refresh_from_db()
    assert account.balance_pence == 0
    stuck = Payment.objects.get(pk=payment.pk)
    assert stuck.status != Payment.Status.SUCCEEDED
    assert stuck.provider_payment_id  # recorded before confirming, so the money at Stripe can be found
    # The next look (the sweeper, or the resident's status page) credits it exactly once.
    services.payment_refresh(payment_id=payment.pk)
    services.payment_refresh(payment_id=payment.pk)
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    account.refresh_from_db()
    assert account.balance_pence == -5_000
