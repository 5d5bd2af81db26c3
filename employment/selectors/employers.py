"""Hackney Works reads for employers: their own listings, and only theirs."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet
from django.http import Http404

from ..models import Opportunity


def employer_listings(*, user) -> QuerySet[Opportunity]:
    """The listings this person submitted, newest first, with how many applications each has."""
    return (
        Opportunity.objects.filter(employer=user)
        .annotate(application_count=Count("applications"))
        .order_by("-created_at", "-id")
    )


def employer_listing(*, user, pk: int) -> Opportunity:
    """One of this person's own listings; anyone else's is not found (404), never forbidden."""
    opp = Opportunity.objects.filter(pk=pk, employer=user).first() if user.is_authenticated else None
    if opp is None:
        raise Http404
    return opp


def listing_form_initial(opp: Opportunity) -> dict:
    """The employer's form filled in from the listing, or from their changes still waiting for review."""
    values = {
        name: getattr(opp, name)
        for name in (
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
        )
    }
    values["description"] = opp.description_source or opp.description_html
    if opp.pending_edit:
        for name, value in opp.pending_edit.items():
            values[name] = (
                value if name == "description" else Opportunity._meta.get_field(name).to_python(value)
            )
    values["london_living_wage"] = values.pop("claims_london_living_wage")
    if values["start_time"]:
        values["start_time"] = f"{values['start_time']:%H:%M}"
    for side in ("min", "max"):
        pence = values.pop(f"pay_{side}_pence")
        values[f"pay_{side}"] = Decimal(pence) / 100 if pence else None
    return values


def employer_applications(*, user, opp_id: int):
    """One of the employer's own listings and the applications to it, newest first (404 if not theirs)."""
    opp = employer_listing(user=user, pk=opp_id)
    return opp, opp.applications.order_by("-created_at", "-id")


def employer_application(*, user, pk: int):
    """One application to one of this employer's own listings; anyone else's is not found (404)."""
    from ..models import Application

    application = (
        Application.objects.filter(pk=pk, opportunity__employer=user).select_related("opportunity").first()
        if user.is_authenticated
        else None
    )
    if application is None:
        raise Http404
    return application


def pending_edit_preview(opp: Opportunity) -> Opportunity | None:
    """The listing as it would be with the employer's waiting changes applied (not saved), pay checked."""
    from ..services.employers import _apply, _editable, _from_json

    if not opp.pending_edit:
        return None
    preview = Opportunity.objects.get(pk=opp.pk)
    data = dict(opp.pending_edit)
    description = data.pop("description", "")
    _apply(preview, description=description, fields=_from_json(_editable(data)))
    return preview


def pending_edit_changes(opp: Opportunity) -> list[tuple[str, str, str]]:
    """(what, now, proposed) for each thing the waiting changes would alter, for the moderator."""
    from ..services.employers import EDITABLE

    preview = pending_edit_preview(opp)
    if preview is None:
        return []
    out = []
    for name in [*sorted(EDITABLE), "description_html", "london_living_wage", "below_minimum_wage"]:
        before, after = getattr(opp, name), getattr(preview, name)
        if before != after:
            out.append((str(Opportunity._meta.get_field(name).verbose_name), str(before), str(after)))
    return out
