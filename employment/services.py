"""Hackney Works writes: submission, moderation and expiry of listings."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.forms import ApplicationError
from hackney_portal.core.hostile import strip_control
from hackney_portal.core.notifications import notification_send

from .models import Opportunity
from .text import sanitise_listing_text

log = logging.getLogger(__name__)
S = Opportunity.Status
ALLOWED = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.PUBLISHED, S.REJECTED, S.DRAFT},
    S.REJECTED: {S.SUBMITTED},
    S.PUBLISHED: {S.CLOSED},
    S.CLOSED: set(),
}


@transaction.atomic
def opportunity_create(*, actor, description: str, london_living_wage: bool = False, **fields) -> Opportunity:
    """A new listing, in draft; the text is sanitised before it is stored. `london_living_wage` is what
    the employer says; whether the listing shows the badge is computed from its pay."""
    from hackney_portal.core.calendar import business_date

    opp = Opportunity(
        description_html=sanitise_listing_text(description),
        employer=actor if getattr(actor, "is_authenticated", False) else None,
        claims_london_living_wage=bool(london_living_wage or fields.pop("claims_london_living_wage", False)),
        **fields,
    )
    _place(opp)
    _check_pay(opp, on=business_date())
    opp.full_clean()
    opp.save()
    audit_log(actor=actor, action="employment.opportunity.created", obj=opp)
    return opp


def _check_pay(opp: Opportunity, *, on: dt.date) -> None:
    """Set the computed pay flags from the rates in force on the listing's date."""
    from .selectors import pay_rates
    from .wages import wage_check

    check = wage_check(
        kind=opp.kind,
        pay_min_pence=opp.pay_min_pence,
        pay_max_pence=opp.pay_max_pence,
        pay_period=opp.pay_period,
        hours_per_week=opp.hours_per_week,
        age_band=opp.age_band,
        claims_london_living_wage=opp.claims_london_living_wage,
        on=on,
        rates=pay_rates(),
    )
    opp.london_living_wage = check.meets_london_living_wage
    opp.below_minimum_wage = check.below_minimum
    opp.wage_problems = "\n".join(check.problems)


def _place(opp: Opportunity) -> None:
    """Put the listing on the map from its postcode, if we know it."""
    from .models import Postcode

    opp.postcode = normalise_postcode(opp.postcode)
    centroid = Postcode.objects.filter(postcode=opp.postcode).first()
    if centroid:
        opp.latitude, opp.longitude = centroid.latitude, centroid.longitude


def _move(opp_id: int, to: str, *, actor, **changes) -> Opportunity:
    opp = Opportunity.objects.select_for_update().get(pk=opp_id)
    if to not in ALLOWED[opp.status]:
        raise ApplicationError(
            f"A listing that is {opp.get_status_display().lower()} cannot be {S(to).label.lower()}"
        )
    previous = opp.status
    opp.status = to
    for k, v in changes.items():
        setattr(opp, k, v)
    opp.full_clean()
    opp.save()
    audit_log(
        actor=actor,
        action=f"employment.opportunity.{to}",
        obj=opp,
        data={"from": previous, **{k: str(v) for k, v in changes.items()}},
    )
    return opp


@transaction.atomic
def opportunity_submit(*, opp_id: int, actor) -> Opportunity:
    return _move(opp_id, S.SUBMITTED, actor=actor)


@transaction.atomic
def opportunity_publish(*, opp_id: int, actor, wage_override_reason: str = "") -> Opportunity:
    """Publish a submitted listing. Its pay is checked again against the rates on the day it goes live;
    one below the minimum (or unpaid and not volunteering) needs a moderator's reason, recorded with
    their name."""
    from hackney_portal.core.calendar import business_date

    opp = Opportunity.objects.select_for_update().get(pk=opp_id)
    _check_pay(opp, on=business_date())
    changes: dict = {
        "published_at": timezone.now(),
        "rejection_reason": "",
        "london_living_wage": opp.london_living_wage,
        "below_minimum_wage": opp.below_minimum_wage,
        "wage_problems": opp.wage_problems,
    }
    reason = strip_control(wage_override_reason or "").strip()
    if opp.below_minimum_wage and opp.status == S.SUBMITTED:
        if not getattr(actor, "is_authenticated", False):
            raise ApplicationError("Only a moderator can publish a listing below the minimum wage")
        if not reason:
            raise ApplicationError(
                f"{opp.wage_problems or 'The pay is below the minimum'}. "
                "Give the reason for publishing it anyway",
                field="wage_override_reason",
            )
        changes |= {
            "wage_override_reason": reason,
            "wage_override_by": actor,
            "wage_override_at": timezone.now(),
        }
    return _move(opp_id, S.PUBLISHED, actor=actor, **changes)


@transaction.atomic
def opportunity_reject(*, opp_id: int, reason: str, actor) -> Opportunity:
    if not reason.strip():
        raise ApplicationError("Give the employer a reason", field="reason")
    opp = _move(opp_id, S.REJECTED, actor=actor, rejection_reason=reason.strip())
    if opp.employer and opp.employer.email:
        notification_send(
            template="employment/email/rejected",
            to=opp.employer.email,
            key=f"employment.rejected:{opp.pk}:{opp.updated_at.isoformat()}",
            context={"opp": opp},
        )
    return opp


@transaction.atomic
def opportunity_close(*, opp_id: int, actor) -> Opportunity:
    return _move(opp_id, S.CLOSED, actor=actor)


def opportunities_expire(*, today: dt.date) -> int:
    """Close every published listing whose closing date has passed (the closing date itself is still open)."""
    closed = 0
    for pk in Opportunity.objects.filter(status=S.PUBLISHED, closing_date__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            opportunity_close(opp_id=pk, actor=None)
        closed += 1
    return closed


def normalise_postcode(value: str) -> str:
    import re

    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcodes_load(*, rows, local_authority: str = "", batch: int = 5000) -> tuple[int, int]:
    """Upsert ONSPD rows; returns (loaded, skipped)."""
    from .models import Postcode

    loaded = skipped = 0
    chunk: list[Postcode] = []

    def flush():
        Postcode.objects.bulk_create(
            chunk,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude", "local_authority", "ward"],
        )
        chunk.clear()

    for row in rows:
        lat, lon = row.get("lat", ""), row.get("long", "")
        if (
            row.get("doterm")
            or not lat
            or not lon
            or (local_authority and row.get("oslaua") != local_authority)
        ):
            skipped += 1
            continue
        # ONSPD marks postcodes with no grid reference with latitude 99.999999.
        if float(lat) > 90:
            skipped += 1
            continue
        chunk.append(
            Postcode(
                postcode=normalise_postcode(row["pcds"]),
                latitude=float(lat),
                longitude=float(lon),
                local_authority=row.get("oslaua", ""),
                ward=row.get("osward", ""),
            )
        )
        loaded += 1
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return loaded, skipped


CV_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
CV_MAX_BYTES = 5 * 1024 * 1024


def cv_check(upload) -> str:
    """The file's type from its content, not its name: PDF or Word (DOCX) only, 5 MB at most."""
    from hackney_portal.core.uploads import upload_check

    return upload_check(
        upload,
        allowed=CV_TYPES,
        max_bytes=CV_MAX_BYTES,
        field="cv",
        what="The CV",
        kinds="a PDF or a Word document (.docx)",
    )


@transaction.atomic
def application_submit(
    *, opp_id: int, name: str, email: str, phone: str, cv, statement: str, lives_in_borough: bool, actor
):
    import secrets

    from django.db import IntegrityError

    from hackney_portal.core.calendar import business_date

    from .models import Application

    opp = Opportunity.objects.get(pk=opp_id)
    if opp.status != S.PUBLISHED or opp.closing_date < business_date():
        raise ApplicationError("This opportunity has closed")
    if opp.apply_url:
        raise ApplicationError("Apply for this opportunity on the employer's website")
    cv_type = cv_check(cv)
    email = email.strip().lower()
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None and Application.objects.filter(opportunity=opp, user=user).exists():
        raise ApplicationError("You have already applied for this opportunity")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                reference="HW-"
                + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)),
                opportunity=opp,
                user=user,
                name=name,
                email=email,
                phone=phone,
                cv=cv,
                cv_type=cv_type,
                statement=statement,
                lives_in_borough=lives_in_borough,
            )
    except IntegrityError:
        raise ApplicationError(
            "You have already applied for this opportunity with this email address", field="email"
        ) from None
    audit_log(
        actor=actor, action="employment.application.received", obj=application, data={"opportunity": opp.pk}
    )
    notification_send(
        template="employment/email/application_received",
        to=email,
        key=f"employment.application:{application.pk}",
        context={"application": application, "opp": opp},
    )
    return application


@transaction.atomic
def saved_search_create(*, email: str, frequency: str, query: str, actor):
    """Save a search and ask the person to confirm their email before any alert is sent."""
    import secrets

    from .models import SavedSearch

    search = SavedSearch.objects.create(
        email=email.strip().lower(),
        frequency=frequency,
        query=strip_control(query)[:1000],
        token=secrets.token_urlsafe(32),
        user=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from .selectors import search_describe

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

    from .models import SavedSearch

    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


def alert_mail_headers(note) -> dict:
    """RFC 8058 one-click unsubscribe for an alert email: mail clients POST `List-Unsubscribe=One-Click`."""
    from .models import SavedSearch

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
    from .models import SavedSearch

    search = SavedSearch.objects.select_for_update().filter(token=token).first()
    if search and not search.confirmed_at and not search.unsubscribed_at:
        # Alerts list what is new from now on, not everything already live.
        search.confirmed_at = search.last_sent_at = timezone.now()
        search.save(update_fields=["confirmed_at", "last_sent_at"])
    return search


@transaction.atomic
def saved_search_unsubscribe(*, search_id: int, actor=None):
    from .models import SavedSearch

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
    from .models import SavedSearch
    from .selectors import live

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


def _alert_send(*, search_id: int, now, sectors: list[str]) -> int:
    from hackney_portal.core.hostile import querystring_parse

    from .forms import SearchForm
    from .models import SavedSearch
    from .selectors import opportunity_search, search_describe

    # SKIP LOCKED: another run already holds this one and will send it.
    search = (
        SavedSearch.objects.select_for_update(skip_locked=True)
        .filter(pk=search_id, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        .first()
    )
    if search is None:
        return 0
    gap = dt.timedelta(days=1 if search.frequency == "daily" else 7) - dt.timedelta(minutes=30)
    # The first alert goes at the next scheduled run after confirming (last_sent_at is still the
    # confirmation time); after that, at most one a day or a week.
    first = search.last_sent_at == search.confirmed_at
    if search.last_sent_at and not first and now - search.last_sent_at < gap:
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


@transaction.atomic
def listing_save(*, user, opp_id: int, saved: bool) -> None:
    from .models import SavedListing

    if saved:
        SavedListing.objects.get_or_create(user=user, opportunity_id=opp_id)
    else:
        SavedListing.objects.filter(user=user, opportunity_id=opp_id).delete()


STATUS_EMAILS = {"shortlisted", "interview", "unsuccessful", "hired"}


@transaction.atomic
def application_set_status(*, application_id: int, status: str, feedback: str, actor):
    """Set an application's status; the applicant is emailed when it changes (with any feedback given),
    once per status and feedback, however often the form is saved."""
    import hashlib

    from .models import Application

    application = Application.objects.select_for_update().select_related("opportunity").get(pk=application_id)
    previous = (application.status, application.feedback)
    application.status = status
    application.feedback = strip_control(feedback or "").strip()
    application.full_clean(exclude=["cv"])
    application.save(update_fields=["status", "feedback"])
    audit_log(actor=actor, action=f"employment.application.{status}", obj=application)
    if status in STATUS_EMAILS and (application.status, application.feedback) != previous:
        digest = hashlib.sha256(application.feedback.encode()).hexdigest()[:12]
        notification_send(
            template="employment/email/application_status",
            to=application.email,
            key=f"employment.application-status:{application.pk}:{status}:{digest}",
            context={"application": application, "opp": application.opportunity},
        )
    return application


@transaction.atomic
def listing_submit(*, actor, description: str, **fields) -> Opportunity:
    """An employer's new listing, straight into the moderators' queue."""
    opp = opportunity_create(actor=actor, description=description, **fields)
    return opportunity_submit(opp_id=opp.pk, actor=actor)


@transaction.atomic
def resident_account_closed(*, user, actor) -> None:
    """The resident closed their portal account: job alerts stop and saved jobs go. Applications already
    sent stay with the employer's records, no longer linked to a login."""
    from .models import SavedListing, SavedSearch

    stopped = SavedSearch.objects.filter(user=user, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    SavedListing.objects.filter(user=user).delete()
    audit_log(actor=actor, action="employment.resident.account_closed", data={"alerts_stopped": stopped})
