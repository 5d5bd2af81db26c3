"""The case workspace: everything about one case on one page, with the form of each officer action."""

from __future__ import annotations

from django.shortcuts import render

from .. import hclic, rules, selectors, services
from ..models import Case
from .actions import ACTIONS
from .queue import case_flags


def workspace(model_admin, request, case: Case, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    can_change = model_admin.has_change_permission(request, case)
    forms = {}
    if can_change:
        forms = {a.name: bound.get(a.name) or a.get_form(request, case) for a in ACTIONS}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Case {case.reference}",
        "case": case,
        "flags": case_flags(case),
        "days_left": selectors.days_left(case),
        "members": case.members.all(),
        "assessments": case.assessments.select_related("made_by"),
        "referral": getattr(case, "referral", None),
        "notes": case.notes.select_related("author"),
        "case_messages": case.messages.select_related("notification"),
        "letters": case.letters.select_related("issued_by"),
        "held_letters": selectors.letters_held(case),
        "reviews": case.reviews.select_related("reviewer", "original_decider", "late_accepted_by"),
        "notices": case.noncooperation_notices.select_related("proposed_by", "approved_by"),
        "plan_steps": case.plan_steps.all(),
        "requests": case.document_requests.prefetch_related("documents"),
        "documents": case.documents.all(),
        "placements": case.placements.all(),
        "can_change": can_change,
        "noncoop_warning_days": rules.NONCOOPERATION_WARNING_DAYS,
        "retention": selectors.retention_summary(case),
        "hclic_problems": hclic.case_problems(case),
        "can_hold": services.officer_seniority(request.user) >= 2,
        "forms": forms,
    }
    return render(request, "admin/homelessness/case/workspace.html", context, status=status)
