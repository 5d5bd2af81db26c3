"""The lead applicant's details an officer records for the H-CLIC return."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from ..intake import STEP_BY_SLUG
from ..models import Case, HouseholdMember
from .common import _lock, _require_officer


@transaction.atomic
def case_applicant_details_record(
    *,
    case: Case,
    actor,
    sex: str = "",
    date_of_birth: dt.date | None = None,
    nationality: str = "",
    employment: str = "",
) -> Case:
    """Record what the return needs about the lead applicant and the case does not hold. Only the details
    given change; the audit log keeps which were changed (not their values: they are special category)."""
    _require_officer(actor)
    case = _lock(case)
    changed = []
    if sex or date_of_birth:
        applicant = case.members.filter(is_applicant=True).first()
        if applicant is None:
            name = ((case.details or {}).get("about") or {}).get("full_name") or "Applicant"
            applicant = HouseholdMember.objects.create(
                case=case, name=str(name)[:200], relationship="applicant", is_applicant=True
            )
        fields = []
        if sex and sex != applicant.sex:
            applicant.sex, fields = sex, [*fields, "sex"]
        if date_of_birth and date_of_birth != applicant.date_of_birth:
            applicant.date_of_birth, fields = date_of_birth, [*fields, "date_of_birth"]
        if fields:
            applicant.save(update_fields=fields)
            changed += fields
    details = dict(case.details or {})
    for slug, value in (("nationality", nationality), ("employment", employment)):
        if not value:
            continue
        store = STEP_BY_SLUG[slug].store
        page = dict(details.get(store) or {})
        if page.get(slug) != value:
            page[slug] = value
            details[store] = page
            changed.append(slug)
    if not changed:
        raise ApplicationError("Choose at least one detail that is not recorded yet, or is different.")
    if details != (case.details or {}):
        case.details = details
        case.save(update_fields=["details"])
    audit_log(
        actor=actor,
        action="homelessness.case.applicant_details",
        obj=case,
        data={"recorded": sorted(changed)},
    )
    return case
