"""Hackney Works writes: submission, moderation and expiry of listings."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.hostile import strip_control
from hackney_portal.core.notifications import notification_send

from ..models import Opportunity
from ..text import sanitise_listing_text
from .postcodes import postcode_locate_known, postcode_require_known

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
        description_source=description or "",
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


@transaction.atomic
def opportunity_moderator_save(*, actor, opp: Opportunity, changed: list[str]) -> Opportunity:
    """A moderator's change to a listing in the back office: placed again from its postcode (a postcode
    that is not found is refused here too, and the map position follows a new postcode), then saved."""
    _place(opp)
    opp.full_clean()
    opp.save()
    audit_log(actor=actor, action="employment.opportunity.changed", obj=opp, data={"fields": sorted(changed)})
    return opp


def _check_pay(opp: Opportunity, *, on: dt.date) -> None:
    """Set the computed pay flags from the rates in force on the listing's date."""
    from ..selectors import pay_rates
    from ..wages import wage_check

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
    """Put the listing on the map from its postcode. A postcode we cannot find is refused here, in the
    service, whoever calls it (the admin, the demo data, a script), not only by the forms: a listing we
    cannot place would silently be left out of every distance search."""
    opp.postcode, opp.latitude, opp.longitude = postcode_locate_known(opp.postcode or "")


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


REASON_MAX = 2000


def moderator_reason(text: str) -> str:
    """A moderator's reason as it is kept, emailed and audited: one clean paragraph of bounded length."""
    reason = strip_control(text or "").strip()
    if len(reason) > REASON_MAX:
        raise ApplicationError(f"The reason must be {REASON_MAX:,} characters or fewer", field="reason")
    return reason


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
    reason = moderator_reason(wage_override_reason)
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
    opp = _move(opp_id, S.PUBLISHED, actor=actor, **changes)
    if opp.employer and opp.employer.email:
        notification_send(
            template="employment/email/published",
            to=opp.employer.email,
            key=f"employment.published:{opp.pk}",
            context={"opp": opp},
        )
    return opp


@transaction.atomic
def opportunity_reject(*, opp_id: int, reason: str, actor) -> Opportunity:
    reason = moderator_reason(reason)
    if not reason:
        raise ApplicationError("Give the employer a reason", field="reason")
    opp = _move(opp_id, S.REJECTED, actor=actor, rejection_reason=reason)
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
    # Changes still waiting for review go with it: a closed listing cannot be changed.
    return _move(opp_id, S.CLOSED, actor=actor, pending_edit=None, pending_edit_at=None)


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


@transaction.atomic
def listing_submit(*, actor, description: str, **fields) -> Opportunity:
    """An employer's new listing, straight into the moderators' queue."""
    check_start(fields)
    fields["postcode"] = postcode_require_known(fields.get("postcode") or "")
    opp = opportunity_create(actor=actor, description=description, **fields)
    return opportunity_submit(opp_id=opp.pk, actor=actor)


def check_start(fields: dict) -> None:
    """An event has a start date and time, a course a start date; other kinds have neither."""
    kind = fields.get("kind")
    if kind not in (Opportunity.Kind.EVENT, Opportunity.Kind.TRAINING):
        fields["start_date"] = fields["start_time"] = None
        return
    what = "event" if kind == Opportunity.Kind.EVENT else "course"
    if not fields.get("start_date"):
        raise ApplicationError(f"Enter the date the {what} starts", field="start_date")
    if kind == Opportunity.Kind.EVENT and not fields.get("start_time"):
        raise ApplicationError("Enter the time the event starts", field="start_time")
    if kind == Opportunity.Kind.TRAINING:
        fields["start_time"] = None
