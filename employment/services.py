"""Hackney Works writes: submission, moderation and expiry of listings."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.forms import ApplicationError
from hackney_portal.core.notifications import notification_send

from .models import Opportunity
from .text import sanitise_listing_text

S = Opportunity.Status
ALLOWED = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.PUBLISHED, S.REJECTED, S.DRAFT},
    S.REJECTED: {S.SUBMITTED},
    S.PUBLISHED: {S.CLOSED},
    S.CLOSED: set(),
}


@transaction.atomic
def opportunity_create(*, actor, description: str, **fields) -> Opportunity:
    """A new listing, in draft; the text is sanitised before it is stored."""
    opp = Opportunity(
        description_html=sanitise_listing_text(description),
        employer=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _place(opp)
    opp.full_clean()
    opp.save()
    audit_log(actor=actor, action="employment.opportunity.created", obj=opp)
    return opp


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
def opportunity_publish(*, opp_id: int, actor) -> Opportunity:
    return _move(opp_id, S.PUBLISHED, actor=actor, published_at=timezone.now(), rejection_reason="")


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
