"""Arrears reminders by email, and the resident's choice to have them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from hackney_portal.core.audit import audit_log
from hackney_portal.core.models import Notification
from hackney_portal.core.notifications import notification_send

from ..calendar import business_date
from ..models import (
    AccountLink,
)


def arrears_reminders_send(*, today: dt.date | None = None) -> int:
    """Email each resident whose linked account is in arrears, at most once per rent week, before Monday.

    Residents who turned reminders off get none. The notification key (account, resident, week) makes a
    second run in the same week send nothing.
    """
    from ..calendar import next_monday

    today = today or business_date()
    due = next_monday(today + dt.timedelta(days=1))
    week = due.isocalendar()
    sent = 0
    links = (
        AccountLink.objects.filter(
            unlinked_at__isnull=True,
            account__balance_pence__gt=0,
            user__reminder_emails=True,
            user__is_active=True,
        )
        .select_related("account", "user")
        .order_by("pk")
    )
    for link in links.iterator(chunk_size=500):
        key = f"payments.arrears:{link.account_id}:{link.user_id}:{week.year}-W{week.week:02d}"
        if Notification.objects.filter(key=key).exists():
            continue
        with transaction.atomic():
            notification_send(
                template="payments/email/arrears_reminder",
                to=link.user.email,
                key=key,
                context={
                    "account": link.account,
                    "due_date": due,
                    "balance_pence": link.account.balance_pence,
                },
            )
        sent += 1
    return sent


@transaction.atomic
def reminders_set(*, user, enabled: bool, actor) -> None:
    user.reminder_emails = enabled
    user.save(update_fields=["reminder_emails"])
    audit_log(actor=actor, action="payments.reminders." + ("on" if enabled else "off"), obj=user)
