import pytest
from django.db import DatabaseError, IntegrityError, transaction

from payments import services
from payments.calendar import financial_year, rent_week
from payments.models import LedgerEntry, Payment
from tests.payments.conftest import start_payment


@pytest.mark.django_db
def test_entries_carry_running_balance_sequence_week_and_year(account):
    entries = list(account.entries.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2]
    assert [e.balance_after_pence for e in entries] == [15_000, 16_000]
    assert account.balance_pence == 16_000
    e = entries[0]
    assert e.rent_week == rent_week(e.business_date)
    assert e.financial_year == financial_year(e.business_date)


def test_financial_year_and_rent_week_turn_over_in_april():
    import datetime as dt

    assert financial_year(dt.date(2027, 3, 31)) == "2026-27"
    assert financial_year(dt.date(2027, 4, 1)) == "2027-28"
    assert rent_week(dt.date(2027, 4, 1)) == 1
    assert rent_week(dt.date(2027, 4, 8)) == 2
    assert rent_week(dt.date(2028, 3, 31)) == 53


@pytest.mark.django_db
def test_ledger_is_append_only_in_the_database(account):
    entry = account.entries.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_pence=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db
def test_a_payment_is_credited_once_even_when_posted_twice(account):
    payment = start_payment(account)
    Payment.objects.filter(pk=payment.pk).update(status="succeeded")
    first, created1 = services.ledger_post(
        account_id=account.pk, kind="card_payment", amount_pence=-1234, description="x", payment=payment
    )
    second, created2 = services.ledger_post(
        account_id=account.pk, kind="card_payment", amount_pence=-1234, description="x", payment=payment
    )
    assert (created1, created2) == (True, False)
    assert first.pk == second.pk
    account.refresh_from_db()
    assert account.balance_pence == 16_000 - 1234


@pytest.mark.django_db
def test_database_refuses_a_second_card_credit_even_bypassing_the_service(account):
    payment = start_payment(account)
    services.ledger_post(
        account_id=account.pk, kind="card_payment", amount_pence=-1234, description="x", payment=payment
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            account=account,
            seq=99,
            kind="card_payment",
            amount_pence=-1234,
            balance_after_pence=0,
            business_date="2026-11-24",
            rent_week=35,
            financial_year="2026-27",
            payment=payment,
        )


@pytest.mark.django_db
def test_amounts_are_checked_in_the_database(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(reference="RP-X", attempt_key="k", account=account, amount_pence=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            reference="RP-Y", attempt_key="k2", account=account, amount_pence=100, refunded_pence=101
        )


@pytest.mark.django_db
def test_payment_amount_limits(account, settings):
    from hackney_portal.core.forms import ApplicationError

    with pytest.raises(ApplicationError, match="£1 or more"):
        start_payment(account, amount_pence=99)
    with pytest.raises(ApplicationError, match="or less"):
        start_payment(account, amount_pence=settings.PAYMENTS_MAX_PENCE + 1)
