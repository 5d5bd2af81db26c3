"""Pay My Rent reads, with the access rules in one place."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from . import rules
from .calendar import business_date, next_monday
from .models import AccountLink, LedgerEntry, Payment, RentAccount

SESSION_FOUND = "payments_found_accounts"
SESSION_PAYMENTS = "payments_own_payments"


def _columns(model, alias: str) -> str:
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


def _instance(model, row):
    """A model instance from a row of `_columns(model, ...)` (what the ORM's own fetch builds)."""
    n = len(model._meta.concrete_fields)
    return model.from_db(connection.alias, None, row[:n])


# What a statement line shows, read as these columns alone: a year's statement has 52 lines or more, and
# building each as a model instance (every column, the foreign keys' descriptors, the timestamps parsed) cost
# more than reading them.
_LINE_COLUMNS = (
    "id",
    "seq",
    "business_date",
    "kind",
    "description",
    "amount_pence",
    "rent_week",
    "balance_after_pence",
)
_KIND_LABELS = dict(LedgerEntry.Kind.choices)


class StatementLine(NamedTuple):
    pk: int
    seq: int
    business_date: dt.date
    kind: str
    description: str
    amount_pence: int
    rent_week: int
    balance_after_pence: int

    def get_kind_display(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)


def _lines(alias: str) -> str:
    return ", ".join(f'{alias}."{c}"' for c in _LINE_COLUMNS)


# The account pages' reads are written out (each plain SQL statement, one round trip): building these
# statements through the ORM cost more than running them (1.8 ms against 0.3 for the account check;
# profile in docs/performance.md), and they are a resident page's whole cost above its layout.
_LINKED_ACCOUNT_SQL = f"""
SELECT {_columns(RentAccount, "a")},
       EXISTS (SELECT 1 FROM {Payment._meta.db_table} p
               WHERE p.account_id = a.id AND p.status = ANY(%(pending)s)
                 AND p.provider_payment_id IS NOT NULL) AS has_processing
FROM {RentAccount._meta.db_table} a
WHERE a.id = %(pk)s
  AND EXISTS (SELECT 1 FROM {AccountLink._meta.db_table} l
              WHERE l.account_id = a.id AND l.user_id = %(user)s AND l.unlinked_at IS NULL)
"""  # noqa: S608  # nosec B608 - names from the models; values are parameters

_RECENT_SQL = f"""
SELECT {_columns(LedgerEntry, "e")} FROM {LedgerEntry._meta.db_table} e
WHERE e.account_id = %s ORDER BY e.seq DESC LIMIT 5
"""  # noqa: S608  # nosec B608 - names from the models; values are parameters

# The balance brought forward and the period's entries in one statement: the LEFT JOIN keeps the opening
# balance's row when the period has no entries (its entry columns are then NULL).
_STATEMENT_SQL = f"""
SELECT o.opening, {_columns(LedgerEntry, "e")}
FROM (SELECT COALESCE(SUM(amount_pence), 0) AS opening FROM {LedgerEntry._meta.db_table}
      WHERE account_id = %(account)s AND business_date < %(start)s) o
LEFT JOIN {LedgerEntry._meta.db_table} e
       ON e.account_id = %(account)s AND e.business_date BETWEEN %(start)s AND %(end)s
ORDER BY e.business_date, e.seq
"""  # noqa: S608  # nosec B608 - names from the models; values are parameters

_LINKED = f"""EXISTS (SELECT 1 FROM {AccountLink._meta.db_table} l
              WHERE l.account_id = a.id AND l.user_id = %(user)s AND l.unlinked_at IS NULL)"""  # noqa: S608  # nosec B608

# A resident's own pages each read their account, the check that they linked it and what the page shows in
# one statement (one round trip, not one for the account and one for its entries): a resident page's cost
# above its layout is what is measured against the layout (issue 18). No row: not theirs, or no such account.
_VIEWER_STATEMENT_SQL = f"""
SELECT {_columns(RentAccount, "a")}, o.opening, {_lines("e")}
FROM {RentAccount._meta.db_table} a
CROSS JOIN LATERAL (SELECT COALESCE(SUM(amount_pence), 0) AS opening FROM {LedgerEntry._meta.db_table}
                    WHERE account_id = a.id AND business_date < %(start)s) o
LEFT JOIN {LedgerEntry._meta.db_table} e
       ON e.account_id = a.id AND e.business_date BETWEEN %(start)s AND %(end)s
WHERE a.id = %(pk)s AND {_LINKED}
ORDER BY e.business_date, e.seq
"""  # noqa: S608  # nosec B608 - names from the models; values are parameters

_VIEWER_SUMMARY_SQL = f"""
SELECT {_columns(RentAccount, "a")},
       EXISTS (SELECT 1 FROM {Payment._meta.db_table} p
               WHERE p.account_id = a.id AND p.status = ANY(%(pending)s)
                 AND p.provider_payment_id IS NOT NULL) AS has_processing,
       {_lines("e")}
FROM {RentAccount._meta.db_table} a
LEFT JOIN LATERAL (SELECT {", ".join(_LINE_COLUMNS)} FROM {LedgerEntry._meta.db_table} WHERE account_id = a.id
                   ORDER BY seq DESC LIMIT 5) e ON TRUE
WHERE a.id = %(pk)s AND {_LINKED}
ORDER BY e.seq DESC
"""  # noqa: S608  # nosec B608 - names from the models; values are parameters

# Paying needs no link (an account found by number and postcode may be paid), so the link is a column here.
_PAYABLE_SQL = f"""
SELECT {_columns(RentAccount, "a")}, {_LINKED} AS linked
FROM {RentAccount._meta.db_table} a WHERE a.id = %(pk)s
"""  # noqa: S608  # nosec B608 - names from the models; values are parameters


def mask_name(name: str) -> str:
    """'Jane Smith' -> 'Jxxx Sxxxx': enough to recognise, not enough to learn who lives there."""
    return " ".join(w[0] + "x" * (len(w) - 1) for w in name.split() if w)


def accounts_linked(*, user) -> QuerySet[RentAccount]:
    if not user.is_authenticated:
        return RentAccount.objects.none()
    return RentAccount.objects.filter(links__user=user, links__unlinked_at__isnull=True).order_by("reference")


def account_is_linked(*, user, account: RentAccount) -> bool:
    return (
        user.is_authenticated
        and AccountLink.objects.filter(user=user, account=account, unlinked_at__isnull=True).exists()
    )


def account_for_statement(*, user, pk: int) -> RentAccount:
    """Only a resident who has linked the account sees its statement; anyone else gets 404, not 403,
    so account ids cannot be probed."""
    return account_for_summary(user=user, pk=pk)


def account_for_summary(*, user, pk: int) -> RentAccount:
    """`account_for_statement`, also saying whether a card payment is still processing (`has_processing`)."""
    if not user.is_authenticated:
        raise Http404
    with connection.cursor() as cur:
        cur.execute(_LINKED_ACCOUNT_SQL, {"pk": pk, "user": user.pk, "pending": list(rules.PENDING)})
        row = cur.fetchone()
    if row is None:
        raise Http404
    account = _instance(RentAccount, row)
    account.has_processing = row[-1]
    return account


def account_for_payment(*, request, pk: int) -> RentAccount:
    """Paying needs the account linked, or found by number and postcode in this browser session."""
    user = request.user.pk if request.user.is_authenticated else None
    with connection.cursor() as cur:
        cur.execute(_PAYABLE_SQL, {"pk": pk, "user": user})
        row = cur.fetchone()
    if row is None:
        raise Http404
    account = _instance(RentAccount, row)
    # Remembered on the account, so the page's Back link need not ask the database again.
    account.viewer_linked = bool(row[-1])
    if account.viewer_linked or pk in request.session.get(SESSION_FOUND, []):
        return account
    raise Http404


def amount_page_back_url(*, request, account: RentAccount) -> str:
    """The amount page's Back link: the page its "Pay now" was on (the linked account's page for a
    resident who linked it, else the account found by number and postcode), not the start page."""
    linked = getattr(account, "viewer_linked", None)
    if linked is None:
        linked = account_is_linked(user=request.user, account=account)
    if linked:
        return reverse("payments:account", args=[account.pk])
    return reverse("payments:found", args=[account.pk])


def amount_answers(*, request, account: RentAccount) -> dict:
    """The amount a resident chose before, when they come back from the card page (?payment=reference), so
    going back loses no answer. Only their own payment, on this account, not yet paid."""
    reference = request.GET.get("payment", "")
    if not reference or len(reference) > 64:
        return {}
    try:
        payment = payment_for_viewer(request=request, reference=reference)
    except Http404:
        return {}
    if payment.account_id != account.pk or payment.status != Payment.Status.CREATED:
        return {}
    # The receipt address they gave comes back too (only the viewer's own payment gets here).
    given = {"email": payment.email} if payment.email else {}
    if account.balance_pence > 0 and payment.amount_pence == account.balance_pence:
        return {"choice": "balance", **given}
    pounds, p = divmod(payment.amount_pence, 100)
    return {"choice": "other", "amount": f"{pounds}.{p:02d}", **given}


def payment_for_viewer(*, request, reference: str) -> Payment:
    payment = Payment.objects.select_related("account").filter(reference=reference).first()
    if payment is None:
        raise Http404
    if request.user.is_authenticated and payment.user_id == request.user.pk:
        return payment
    if payment.pk in request.session.get(SESSION_PAYMENTS, []):
        return payment
    raise Http404


def account_summary(
    *, account: RentAccount, today: dt.date | None = None, recent: list[StatementLine] | None = None
) -> dict:
    """`recent`: the last entries, newest first, when the caller has read them already."""
    today = today or business_date()
    balance = account.balance_pence
    return {
        "account": account,
        "balance_pence": balance,
        "in_arrears": balance > 0,
        "in_credit": balance < 0,
        "as_of": account.balance_updated_at,
        "weekly_due_pence": account.weekly_due_pence,
        "next_due_date": next_monday(today),
        "amount_due_pence": max(0, balance),
        # Read only when the account says it has any (`account_summary_for_viewer`): most have none, and the
        # question rides on the account's own query.
        "processing": (
            account.payments.filter(status__in=rules.PENDING, provider_payment_id__isnull=False)
            if getattr(account, "has_processing", True)
            else []
        ),
        "recent": [
            {"entry": e, "balance_pence": e.balance_after_pence}
            for e in (_recent_entries(account.pk) if recent is None else recent)
        ],
    }


def _recent_entries(account_id: int) -> list[LedgerEntry]:
    with connection.cursor() as cur:
        cur.execute(_RECENT_SQL, [account_id])
        return [_instance(LedgerEntry, row) for row in cur.fetchall()]


def statement_for_period(*, account: RentAccount, start: dt.date, end: dt.date) -> dict:
    """A statement: the balance brought forward from before `start`, then each entry in date order with the
    balance after it, counted in that same order so the column adds up down the page."""
    with connection.cursor() as cur:
        cur.execute(_STATEMENT_SQL, {"account": account.pk, "start": start, "end": end})
        fetched = cur.fetchall()
    opening = fetched[0][0]
    entries = [_instance(LedgerEntry, row[1:]) for row in fetched if row[1] is not None]
    return _statement(opening, entries, start=start, end=end)


def _statement(opening: int, entries: list, *, start: dt.date, end: dt.date) -> dict:
    rows, balance = [], opening
    for entry in entries:
        balance += entry.amount_pence
        rows.append({"entry": entry, "balance_pence": balance})
    return {
        "start": start,
        "end": end,
        "opening_pence": opening,
        "rows": rows,
        "entries": entries,
        "closing_pence": balance,
    }


def statement_for_viewer(*, user, pk: int, start: dt.date, end: dt.date) -> tuple[RentAccount, dict]:
    """The account and its statement for the period, read together, for the resident who linked it; anyone
    else gets 404, as `account_for_statement` gives."""
    if not user.is_authenticated:
        raise Http404
    with connection.cursor() as cur:
        cur.execute(_VIEWER_STATEMENT_SQL, {"pk": pk, "user": user.pk, "start": start, "end": end})
        fetched = cur.fetchall()
    if not fetched:
        raise Http404
    n = len(RentAccount._meta.concrete_fields)
    account = _instance(RentAccount, fetched[0])
    opening = fetched[0][n]
    entries = [StatementLine(*row[n + 1 :]) for row in fetched if row[n + 1] is not None]
    return account, _statement(opening, entries, start=start, end=end)


def account_summary_for_viewer(*, user, pk: int) -> tuple[RentAccount, dict]:
    """The account, whether a card payment is processing and its last entries, read together, for the
    resident who linked it; anyone else gets 404."""
    if not user.is_authenticated:
        raise Http404
    with connection.cursor() as cur:
        cur.execute(_VIEWER_SUMMARY_SQL, {"pk": pk, "user": user.pk, "pending": list(rules.PENDING)})
        fetched = cur.fetchall()
    if not fetched:
        raise Http404
    n = len(RentAccount._meta.concrete_fields)
    account = _instance(RentAccount, fetched[0])
    account.has_processing = fetched[0][n]
    recent = [StatementLine(*row[n + 1 :]) for row in fetched if row[n + 1] is not None]
    return account, account_summary(account=account, recent=recent)


def payments_for_user(*, user) -> QuerySet[Payment]:
    return Payment.objects.filter(user=user).select_related("account").order_by("-created_at")


def finance_dashboard(*, days: int = 14, today: dt.date | None = None) -> dict:
    """Figures for the finance dashboard: a few aggregate queries, whatever the size of the ledger."""
    from django.db.models import Count, Sum

    from .models import Discrepancy, Dispute, ReconciliationRun, Refund

    today = today or business_date()
    since = today - dt.timedelta(days=days - 1)
    takings = dict(
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CARD_PAYMENT, business_date__gte=since)
        .values_list("business_date")
        .annotate(total=Sum("amount_pence"))
        .values_list("business_date", "total")
    )
    refunds = dict(
        LedgerEntry.objects.filter(
            kind=LedgerEntry.Kind.REFUND, business_date__gte=since, refund__isnull=False
        )
        .values_list("business_date")
        .annotate(total=Sum("amount_pence"))
        .values_list("business_date", "total")
    )
    rows = [
        {
            "day": since + dt.timedelta(days=i),
            "takings": -(takings.get(since + dt.timedelta(days=i)) or 0),
            "refunds": refunds.get(since + dt.timedelta(days=i)) or 0,
        }
        for i in range(days)
    ]
    from .models import IncomeFile

    kinds = dict(Discrepancy.Kind.choices)
    today_row = rows[-1]
    return {
        "today": today,
        "today_takings_pence": today_row["takings"],
        "today_refunds_pence": today_row["refunds"],
        "today_payments": LedgerEntry.objects.filter(
            kind=LedgerEntry.Kind.CARD_PAYMENT, business_date=today
        ).count(),
        "rows": rows[::-1],
        "open_discrepancies": [
            {**row, "label": kinds.get(row["kind"], row["kind"])}
            for row in Discrepancy.objects.filter(status="open")
            .values("kind")
            .annotate(n=Count("id"))
            .order_by("kind")
        ],
        "pending_refunds": Refund.objects.filter(status=Refund.Status.PENDING).count(),
        "open_disputes": Dispute.objects.exclude(status__in=["won", "lost"])
        .select_related("payment")
        .order_by("evidence_due_by")[:20],
        "last_run": ReconciliationRun.objects.order_by("-started_at").first(),
        "income_files": IncomeFile.objects.order_by("-business_date")[:5],
    }


def resident_summary(*, user, today: dt.date | None = None):
    """Your Hackney: the resident's linked rent accounts, with arrears or the next rent due to pay.
    None when they have neither linked an account nor paid while signed in."""
    from django.urls import reverse
    from django.utils.dateformat import format as date_format

    from hackney_portal.core.resident import ResidentSummary, ResidentTask
    from hackney_portal.frontend.formatting import pence, pence_abs

    accounts = list(accounts_linked(user=user))
    paid = Payment.objects.filter(user=user).exists()
    if not accounts and not paid:
        return None
    today = today or business_date()
    due = next_monday(today)
    rows, tasks = [], []
    for account in accounts:
        balance = account.balance_pence
        pay_url = reverse("payments:pay", args=[account.pk])
        account_url = reverse("payments:account", args=[account.pk])
        if balance > 0:
            rows.append((f"Rent account {account.reference}", f"{pence(balance)} to pay", account_url))
            tasks.append(
                ResidentTask(
                    text=f"You owe {pence(balance)} rent on account {account.reference}.",
                    action_text="Pay now",
                    url=pay_url,
                    urgent=True,
                )
            )
        else:
            state = f"{pence_abs(balance)} in credit" if balance < 0 else "Nothing to pay"
            rows.append((f"Rent account {account.reference}", state, account_url))
            still_due = account.weekly_due_pence + balance
            if still_due > 0:
                tasks.append(
                    ResidentTask(
                        text=f"Your rent of {pence(still_due)} on account {account.reference} is due on "
                        f"{date_format(due, 'l j F Y')}.",
                        action_text="Pay now",
                        url=pay_url,
                        due_on=due,
                    )
                )
    links = [("View your rent accounts and statements", reverse("payments:start"))]
    if paid:
        links.append(("Payments you have made", reverse("payments:history")))
    return ResidentSummary(
        service="Pay your rent", url=reverse("payments:start"), rows=rows, links=links, tasks=tasks
    )


def account_settings_rows(*, user):
    """Account settings: the rent accounts linked to this login, and rent reminder emails."""
    from django.urls import reverse

    from hackney_portal.core.resident import SettingsRow

    references = [a.reference for a in accounts_linked(user=user)]
    return [
        SettingsRow(
            key="Rent accounts",
            value=", ".join(references) if references else "None linked",
            url=reverse("payments:start"),
            action_text="Change" if references else "Link a rent account",
        ),
        SettingsRow(
            key="Rent reminder emails",
            value="On" if user.reminder_emails else "Off",
            url=reverse("payments:reminders"),
        ),
    ]
