"""Hackney Works writes: job alerts (saved searches, confirmation, one-click unsubscribe, sending)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.calendar import business_date
from hackney_portal.core.hostile import strip_control
from hackney_portal.core.notifications import notification_send

log = logging.getLogger(__name__)


@transaction.atomic
def saved_search_create(*, email: str, frequency: str, query: str, actor):
    """Save a search and ask the person to confirm their email before any alert is sent."""
    import secrets

    from ..models import SavedSearch

    search = SavedSearch.objects.create(
        email=email.strip().lower(),
        frequency=frequency,
        query=strip_control(query)[:1000],
        token=secrets.token_urlsafe(32),
        user=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from ..selectors import search_describe

    notification_send(
        template="employment/email/alert_confirm",
        to=search.email,
        key=f"employment.alert-confirm:{search.pk}",
        context={"search": search, "description": search_describe(search.query, typed_text=False)},
    )
    audit_log(actor=actor, action="employment.saved_search.created", obj=search)
    return search


UNSUBSCRIBE_SALT = "employment.alert.unsubscribe"


def unsubscribe_token(search) -> str:
    """A signed token naming one saved search, for its unsubscribe links (never expires: an old email's
    link must still work). Separate from the confirmation token, so one cannot be used for the other."""
    from django.core import signing

    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(search.pk))


def unsubscribe_url(search) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL.rstrip("/") + reverse(
        "employment:alert_unsubscribe", args=[unsubscribe_token(search)]
    )


def saved_search_for_unsubscribe(*, token: str):
    """The saved search a signed unsubscribe token names, or None if the signature does not hold."""
    from django.core import signing

    from ..models import SavedSearch

    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


def alert_mail_headers(note) -> dict:
    """RFC 8058 one-click unsubscribe for an alert email: mail clients POST `List-Unsubscribe=One-Click`."""
    from ..models import SavedSearch

    pk = note.key.split(":")[1] if note.key.count(":") >= 2 else ""
    search = SavedSearch.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    if search is None:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(search)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@transaction.atomic
def saved_search_confirm(*, token: str):
    """Confirm an alert. An alert already unsubscribed stays off: an old confirmation link must not
    switch it back on."""
    from ..models import SavedSearch

    search = SavedSearch.objects.select_for_update().filter(token=token).first()
    if search and not search.confirmed_at and not search.unsubscribed_at:
        # Alerts list what is new from now on, not everything already live.
        search.confirmed_at = search.last_sent_at = timezone.now()
        search.save(update_fields=["confirmed_at", "last_sent_at"])
    return search


@transaction.atomic
def saved_search_unsubscribe(*, search_id: int, actor=None):
    from ..models import SavedSearch

    search = SavedSearch.objects.select_for_update().filter(pk=search_id).first()
    if search and not search.unsubscribed_at:
        search.unsubscribed_at = timezone.now()
        search.save(update_fields=["unsubscribed_at"])
        audit_log(actor=actor, action="employment.saved_search.unsubscribed", obj=search)
    return search


def alerts_send(*, now=None) -> int:
    """Email each confirmed saved search the listings published since its last alert (new matches only).

    Each search is sent in its own transaction and a failure is logged and skipped: one hostile or broken
    saved search (stored years ago, or by SQL) must never stop everyone else's alerts."""
    from ..models import SavedSearch
    from ..selectors import live

    now = now or timezone.now()
    sent = 0
    due = SavedSearch.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True).order_by("pk")
    sectors = sorted(set(live().values_list("sector", flat=True)))
    for pk in due.values_list("pk", flat=True).iterator():
        try:
            with transaction.atomic():
                sent += _alert_send(search_id=pk, now=now, sectors=sectors)
        except Exception:  # any failure, hostile data or a bug: it must cost this one alert, not all of them
            log.exception("job alerts: saved search %s failed and was skipped; the others were sent", pk)
    return sent


def _alert_due(frequency: str, last_sent_at: dt.datetime, now: dt.datetime) -> bool:
    # London dates, not elapsed hours: the run is at 07:00 London time, so the run after the clocks go
    # forward comes 23 hours (daily) or 167 hours (weekly) after the last, and beat may fire an hour late
    # on a clock-change day. Counting hours skipped those runs; counting days cannot.
    days = (business_date(now) - business_date(last_sent_at)).days
    return days >= (1 if frequency == "daily" else 7)


def _alert_send(*, search_id: int, now, sectors: list[str]) -> int:
    from hackney_portal.core.hostile import querystring_parse

    from ..forms import SearchForm
    from ..models import SavedSearch
    from ..selectors import opportunity_search, search_describe

    # SKIP LOCKED: another run already holds this one and will send it.
    search = (
        SavedSearch.objects.select_for_update(skip_locked=True)
        .filter(pk=search_id, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        .first()
    )
    if search is None:
        return 0
    # The first alert goes at the next scheduled run after confirming (last_sent_at is still the
    # confirmation time); after that, at most one a day or a week.
    first = search.last_sent_at == search.confirmed_at
    if search.last_sent_at and not first and not _alert_due(search.frequency, search.last_sent_at, now):
        return 0
    # Read back as the search page reads a request: control characters stripped, bad fields dropped.
    form = SearchForm(querystring_parse(search.query), sectors=sectors)
    form.is_valid()
    params = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    params["sort"] = "newest"
    params["published_after"] = search.last_sent_at
    result = opportunity_search(params=params)
    new = list(result.page.object_list)
    if new:
        notification_send(
            template="employment/email/alert",
            to=search.email,
            key=f"employment.alert:{search.pk}:{now:%Y%m%d%H%M}",
            context={
                "search": search,
                "opportunities": new,
                "count": result.count,
                "description": search_describe(search.query),
                "unsubscribe_url": unsubscribe_url(search),
            },
        )
    search.last_sent_at = now
    search.save(update_fields=["last_sent_at"])
    return 1 if new else 0
