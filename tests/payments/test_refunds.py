import threading

import pytest
from django.db import connection
from django.urls import reverse

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.users import roles
from payments import services
from payments.models import LedgerEntry, Payment, Refund
from tests.conftest import staff_login
from tests.payments.conftest import CARD_OK, card_token, start_payment


def _paid(account, amount=5000):
    payment = start_payment(account, amount_pence=amount)
    return services.payment_pay_by_card(payment_id=payment.pk, card_token=card_token(CARD_OK))


@pytest.mark.django_db
def test_partial_then_full_refund_debits_the_ledger_and_caps_at_the_amount(account, make_staff):
    officer = make_staff("fin@example.org", roles.FINANCE_OFFICERS)
    payment = _paid(account)
    before = Payment.objects.get(pk=payment.pk).account.balance_pence
    services.refund_request(payment_id=payment.pk, amount_pence=2000, reason="Overpaid", actor=officer)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_pence) == ("partly_refunded", 2000)
    with pytest.raises(ApplicationError, match="or less"):
        services.refund_request(payment_id=payment.pk, amount_pence=3001, reason="Too much", actor=officer)
    services.refund_request(payment_id=payment.pk, amount_pence=3000, reason="Rest", actor=officer)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_pence) == ("refunded", 5000)
    account.refresh_from_db()
    assert account.balance_pence == before + 5000
    assert LedgerEntry.objects.filter(kind="refund", refund__payment=payment).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_officers_refunding_at_once_never_exceed_the_payment(account, make_staff):
    officer = make_staff("fin2@example.org", roles.FINANCE_OFFICERS)
    payment = _paid(account, amount=5000)
    barrier = threading.Barrier(2)
    results = []

    def refund():
        barrier.wait()
        try:
            services.refund_request(payment_id=payment.pk, amount_pence=3000, reason="race", actor=officer)
            results.append("ok")
        except ApplicationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["ok", "refused"]
    payment.refresh_from_db()
    assert payment.refunded_pence == 3000
    assert Refund.objects.filter(payment=payment, status="succeeded").count() == 1


@pytest.mark.django_db
def test_refund_reported_failed_later_is_reversed_with_a_new_entry(account, make_staff):
    officer = make_staff("fin3@example.org", roles.FINANCE_OFFICERS)
    payment = _paid(account)
    refund = services.refund_request(payment_id=payment.pk, amount_pence=1000, reason="x", actor=officer)
    account.refresh_from_db()
    after_refund = account.balance_pence
    services.refund_record(
        payment_id=payment.pk,
        provider_refund_id=refund.provider_refund_id,
        amount_pence=1000,
        status="failed",
    )
    account.refresh_from_db()
    assert account.balance_pence == after_refund - 1000
    payment.refresh_from_db()
    assert payment.refunded_pence == 0


@pytest.mark.django_db
def test_refund_page_in_the_admin_for_finance_only(client, account, make_staff):
    payment = _paid(account)
    url = reverse("admin:payments_payment_refund", args=[payment.pk])
    staff_login(client, make_staff("housing@example.org", roles.HOUSING_OFFICERS))
    assert client.get(url).status_code == 403
    staff_login(client, make_staff("fin4@example.org", roles.FINANCE_OFFICERS))
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "99.00", "reason": "too much"})
    assert "or less" in response.content.decode()
    response = client.post(url, {"amount": "10.00", "reason": "Duplicate payment"})
    assert response.status_code == 302
    assert Payment.objects.get(pk=payment.pk).refunded_pence == 1000


@pytest.mark.django_db
def test_finance_dashboard_shows_takings_and_refunds(client, account, make_staff):
    payment = _paid(account, amount=4321)
    officer = make_staff("fin5@example.org", roles.FINANCE_OFFICERS)
    services.refund_request(payment_id=payment.pk, amount_pence=321, reason="x", actor=officer)
    staff_login(client, officer)
    html = client.get(reverse("admin:payments_dashboard")).content.decode()
    assert "£43.21" in html
    assert "£3.21" in html
    staff_login(client, make_staff("housing2@example.org", roles.HOUSING_OFFICERS))
    assert client.get(reverse("admin:payments_dashboard")).status_code == 403
