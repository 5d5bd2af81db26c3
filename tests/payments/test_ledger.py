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


def test_financial_year_turns_over_on_1_april():
    import datetime as dt

    assert financial_year(dt.date(2027, 3, 31)) == "2026-27"
    assert financial_year(dt.date(2027, 4, 1)) == "2027-28"


@pytest.mark.parametrize(
    ("day", "week", "year"),
    [
        # 2024: a leap year, and 1 April is a Monday, so week 1 starts that day.
        ("2024-03-31", 52, "2023-24"),
        ("2024-04-01", 1, "2024-25"),
        ("2024-04-07", 1, "2024-25"),
        ("2024-04-08", 2, "2024-25"),
        # 2024-25 has 53 weeks: the next first Monday of April is 7 April 2025.
        ("2025-04-01", 53, "2024-25"),
        ("2025-04-06", 53, "2024-25"),
        ("2025-04-07", 1, "2025-26"),
        # 2026: 1 April is a Wednesday; the Monday before and the days to Sunday stay in the old year.
        ("2026-04-01", 52, "2025-26"),
        ("2026-04-05", 52, "2025-26"),
        ("2026-04-06", 1, "2026-27"),
        ("2026-04-12", 1, "2026-27"),
        ("2026-04-13", 2, "2026-27"),
        ("2027-04-01", 52, "2026-27"),
        ("2027-04-05", 1, "2027-28"),
        # 2028: a leap year; 29 February is an ordinary day in its week, and week 1 starts on 3 April.
        ("2028-02-28", 48, "2027-28"),
        ("2028-02-29", 48, "2027-28"),
        ("2028-03-05", 48, "2027-28"),
        ("2028-04-02", 52, "2027-28"),
        ("2028-04-03", 1, "2028-29"),
        ("2030-03-31", 52, "2029-30"),
        ("2030-04-01", 1, "2030-31"),
    ],
)
def test_rent_weeks_run_monday_to_sunday_from_the_first_monday_of_april(day, week, year):
    import datetime as dt

    from payments.calendar import rent_year

    day = dt.date.fromisoformat(day)
    assert (rent_week(day), rent_year(day)) == (week, year)


def test_every_rent_week_is_one_monday_to_sunday_over_many_years():
    import datetime as dt

    from payments.calendar import rent_year_start

    day, weeks = dt.date(2019, 1, 1), {}
    while day < dt.date(2036, 1, 1):
        start = rent_year_start(day)
        assert (start.weekday(), start.month) == (0, 4)
        assert start.day <= 7
        week = rent_week(day)
        assert 1 <= week <= 53
        # The week's first day is the Monday on or before this day.
        assert start + dt.timedelta(weeks=week - 1) == day - dt.timedelta(days=day.weekday())
        weeks.setdefault(start, set()).add(week)
        day += dt.timedelta(days=1)
    # Whole rent years have 52 or 53 weeks, never a stub week.
    assert {len(w) for s, w in weeks.items() if dt.date(2019, 4, 8) < s < dt.date(2035, 1, 1)} <= {52, 53}


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
    from hackney_portal.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="£1 or more"):
        start_payment(account, amount_pence=99)
    with pytest.raises(ApplicationError, match="or less"):
        start_payment(account, amount_pence=settings.PAYMENTS_MAX_PENCE + 1)
