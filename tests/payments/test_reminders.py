import datetime as dt

import pytest

from hackney_portal.core.models import Notification
from payments import services


@pytest.mark.django_db
def test_arrears_reminder_once_per_week_respecting_opt_out(
    account, resident, other_resident, mailbox, django_capture_on_commit_callbacks
):
    services.account_link(user=resident, account=account, actor=resident)
    services.account_link(user=other_resident, account=account, actor=other_resident)
    other_resident.reminder_emails = False
    other_resident.save(update_fields=["reminder_emails"])
    friday = dt.date(2026, 11, 27)
    with django_capture_on_commit_callbacks(execute=True):
        services.arrears_reminders_send(today=friday)
        services.arrears_reminders_send(today=friday + dt.timedelta(days=1))  # same week: nothing new
    assert [m.to for m in mailbox] == [[resident.email]]
    assert "Monday 30 November 2026" in mailbox[0].body
    assert "£160.00" in mailbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.arrears_reminders_send(today=friday + dt.timedelta(days=7))
    assert len(mailbox) == 2
    assert Notification.objects.filter(template="payments/email/arrears_reminder").count() == 2


@pytest.mark.django_db
def test_no_reminder_when_not_in_arrears(account, resident, mailbox, django_capture_on_commit_callbacks):
    services.ledger_post(
        account_id=account.pk, kind="housing_benefit", amount_pence=-20_000, description="HB"
    )
    services.account_link(user=resident, account=account, actor=resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.arrears_reminders_send(today=dt.date(2026, 11, 27))
    assert mailbox == []


@pytest.mark.django_db
def test_resident_turns_reminders_off_and_on(client, resident):
    from django.urls import reverse

    client.force_login(resident)
    url = reverse("payments:reminders")
    assert "There is a problem" in client.post(url, {}).content.decode()
    client.post(url, {"reminder_emails": "no"})
    resident.refresh_from_db()
    assert resident.reminder_emails is False
    client.post(url, {"reminder_emails": "yes"})
    resident.refresh_from_db()
    assert resident.reminder_emails is True
