"""Hackney Works writes for employers: changing their own listings.

A listing that is not live yet (draft, waiting for review, or not published) is changed in place and goes
(back) to the moderators. A live listing stays live exactly as it is: the changes wait beside it
(`pending_edit`) until a moderator approves them, which applies them, or rejects them, with a reason the
employer is sent. Jobseekers never see unchecked text, and a job does not vanish while it is checked."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.hostile import strip_control
from hackney_portal.core.notifications import notification_send

from ..models import Opportunity
from ..text import sanitise_listing_text
from .listings import S, _check_pay, _move, _place, check_start, moderator_reason
from .postcodes import postcode_require_known

# What an employer may change (the form's fields, under their model names); nothing else is taken.
EDITABLE = {
    "kind",
    "title",
    "summary",
    "sector",
    "contract",
    "hours",
    "pay_period",
    "age_band",
    "hours_per_week",
    "claims_london_living_wage",
    "disability_confident",
    "no_experience_needed",
    "postcode",
    "apply_url",
    "closing_date",
    "pay_min_pence",
    "pay_max_pence",
    "start_date",
    "start_time",
}


def _editable(fields: dict) -> dict:
    fields = dict(fields)
    if "london_living_wage" in fields:  # the form's tick is the employer's claim, never the badge
        fields["claims_london_living_wage"] = bool(fields.pop("london_living_wage"))
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    return fields


def _from_json(data: dict) -> dict:
    return {name: Opportunity._meta.get_field(name).to_python(value) for name, value in data.items()}


def _apply(opp: Opportunity, *, description: str, fields: dict) -> None:
    from hackney_portal.core.calendar import business_date

    for name, value in fields.items():
        setattr(opp, name, value)
    opp.description_source = description
    opp.description_html = sanitise_listing_text(description)
    _place(opp)
    _check_pay(opp, on=business_date())


def _tell_employer(opp: Opportunity, *, template: str, key: str) -> None:
    if opp.employer and opp.employer.email:
        notification_send(template=template, to=opp.employer.email, key=key, context={"opp": opp})


@transaction.atomic
def listing_edit(*, actor, opp_id: int, description: str, **fields) -> Opportunity:
    """An employer changes one of their own listings (anyone else's does not exist for them)."""
    fields = _editable(fields)
    opp = Opportunity.objects.select_for_update().get(pk=opp_id, employer_id=getattr(actor, "pk", None))
    merged = {"kind": opp.kind, "start_date": opp.start_date, "start_time": opp.start_time} | fields
    check_start(merged)
    fields |= {"start_date": merged["start_date"], "start_time": merged["start_time"]}
    if "postcode" in fields:
        fields["postcode"] = postcode_require_known(fields["postcode"])
    if opp.status == S.CLOSED:
        raise ApplicationError("This listing has closed, so it cannot be changed")
    if opp.status == S.PUBLISHED:
        # Check the changes as they would be applied, so a bad edit is refused now, not at approval.
        trial = Opportunity.objects.get(pk=opp.pk)
        _apply(trial, description=description, fields=fields)
        trial.status = S.SUBMITTED  # checked as a submission: below the minimum is for the moderator
        trial.full_clean()
        opp.pending_edit = json.loads(
            json.dumps({"description": description, **fields}, cls=DjangoJSONEncoder)
        )
        opp.pending_edit_at = timezone.now()
        opp.edit_rejection_reason = ""
        opp.save(update_fields=["pending_edit", "pending_edit_at", "edit_rejection_reason", "updated_at"])
        audit_log(actor=actor, action="employment.opportunity.edit_submitted", obj=opp)
        return opp
    _apply(opp, description=description, fields=fields)
    opp.full_clean()
    opp.save()
    audit_log(actor=actor, action="employment.opportunity.edited", obj=opp)
    if opp.status != S.SUBMITTED:
        opp = _move(opp.pk, S.SUBMITTED, actor=actor)
    return opp


@transaction.atomic
def opportunity_edit_approve(*, opp_id: int, actor, wage_override_reason: str = "") -> Opportunity:
    """A moderator approves an employer's changes to a live listing: they replace the live version. The
    pay is checked again; below the minimum needs the moderator's reason, as at publication."""
    opp = Opportunity.objects.select_for_update().get(pk=opp_id)
    if opp.status != S.PUBLISHED or not opp.pending_edit:
        raise ApplicationError("There are no changes to this listing waiting for review")
    data = dict(opp.pending_edit)
    description = data.pop("description", "")
    _apply(opp, description=description, fields=_from_json(_editable(data)))
    reason = strip_control(wage_override_reason or "").strip()
    if opp.below_minimum_wage:
        if not getattr(actor, "is_authenticated", False):
            raise ApplicationError("Only a moderator can publish a listing below the minimum wage")
        if not reason:
            raise ApplicationError(
                f"{opp.wage_problems or 'The pay is below the minimum'}. "
                "Give the reason for publishing the changes anyway",
                field="wage_override_reason",
            )
        opp.wage_override_reason, opp.wage_override_by, opp.wage_override_at = reason, actor, timezone.now()
    opp.pending_edit = opp.pending_edit_at = None
    opp.edit_rejection_reason = ""
    opp.full_clean()
    opp.save()
    audit_log(actor=actor, action="employment.opportunity.edit_approved", obj=opp)
    _tell_employer(
        opp, template="employment/email/edit_approved", key=f"employment.edit-approved:{opp.pk}:{_now_key()}"
    )
    return opp


@transaction.atomic
def opportunity_edit_reject(*, opp_id: int, reason: str, actor) -> Opportunity:
    """A moderator turns down an employer's changes: the live version stays, the employer is told why."""
    reason = moderator_reason(reason)
    if not reason:
        raise ApplicationError("Give the employer a reason", field="reason")
    opp = Opportunity.objects.select_for_update().get(pk=opp_id)
    if not opp.pending_edit:
        raise ApplicationError("There are no changes to this listing waiting for review")
    opp.pending_edit = opp.pending_edit_at = None
    opp.edit_rejection_reason = reason
    opp.save(update_fields=["pending_edit", "pending_edit_at", "edit_rejection_reason", "updated_at"])
    audit_log(actor=actor, action="employment.opportunity.edit_rejected", obj=opp, data={"reason": reason})
    _tell_employer(
        opp, template="employment/email/edit_rejected", key=f"employment.edit-rejected:{opp.pk}:{_now_key()}"
    )
    return opp


def _now_key() -> str:
    return f"{timezone.now():%Y%m%d%H%M%S%f}"
