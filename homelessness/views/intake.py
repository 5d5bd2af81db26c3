"""The intake: a resident applies for help with housing, one question a page, and can save and come back.

Every page works without JavaScript and is never cached (`never_cache`): these pages hold people's most
sensitive circumstances and may be opened on a shared or watched device.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from hackney_portal.core.exceptions import ApplicationError, add_application_error
from hackney_portal.core.ratelimit import client_ip, rate_limit_wait, wait_message

from .. import check_answers, household, intake, selectors, services
from ..forms import ResumeEmailForm
from ..models import IntakeDraft

DRAFT_KEY = "homelessness_draft"
DRAFT_TOUCHED_KEY = "homelessness_draft_touched"
CASES_KEY = "homelessness_cases"
# Everything of the journey this browser holds; cleared on sign-in, sign-out and "Exit this page".
SESSION_KEYS = (DRAFT_KEY, DRAFT_TOUCHED_KEY, CASES_KEY, "homelessness_next", "homelessness_referral")
# How often answering keeps the session alive (each save of a session moves its expiry on).
DRAFT_TOUCH_SECONDS = 600


def forget_journey(session) -> None:
    for key in SESSION_KEYS:
        session.pop(key, None)


def _draft(request) -> IntakeDraft | None:
    public_id = request.session.get(DRAFT_KEY)
    draft = None
    if public_id:
        draft = IntakeDraft.objects.filter(public_id=public_id, case__isnull=True).first()
    if draft is None and request.user.is_authenticated:
        draft = IntakeDraft.objects.filter(user=request.user, case__isnull=True).first()
    return draft


def _remember(request, draft: IntakeDraft) -> None:
    """Keep the draft's id in the session. Setting it on every answer saved the session each time (a write
    to the database and the cache per page of 40); it is written when the draft changes, and otherwise at
    most every ten minutes, which is enough to keep a slow applicant's session from expiring."""
    value, now = str(draft.public_id), int(time.time())
    session = request.session
    if session.get(DRAFT_KEY) != value or now - session.get(DRAFT_TOUCHED_KEY, 0) > DRAFT_TOUCH_SECONDS:
        session[DRAFT_KEY] = value
        session[DRAFT_TOUCHED_KEY] = now


def _emergency(draft: IntakeDraft | None) -> bool:
    return bool(draft and intake.is_emergency(draft.answers))


def _wait_message(wait: int) -> str:
    # Being slowed down must never stop someone getting help today.
    return f"{wait_message(wait)} If you need help today, call us on {settings.COUNCIL['contact_phone']}."


def _remember_case(request, reference: str) -> None:
    """This browser may see the case: it sent the intake, or opened the link from the applicant's email."""
    refs = request.session.get(CASES_KEY, [])
    if reference not in refs:
        request.session[CASES_KEY] = [*refs, reference]


def _applicant_case(request, reference: str):
    case = selectors.case_for_applicant(
        user=request.user, reference=reference, session_refs=request.session.get(CASES_KEY, [])
    )
    if case is None:
        # The same answer whether the case does not exist or is someone else's.
        raise Http404
    return case


@never_cache
def start(request):
    return render(request, "homelessness/start.html", {"draft": _draft(request)})


@never_cache
def apply_begin(request):
    draft = _draft(request)
    if draft is None:
        return redirect("homelessness:step", slug=intake.STEPS[0].slug)
    slug = intake.next_step(draft.answers)
    return redirect("homelessness:step", slug=slug) if slug else redirect("homelessness:check")


@never_cache
def apply_step(request, slug: str):
    step = intake.STEP_BY_SLUG.get(slug)
    if step is None:
        raise Http404
    draft = _draft(request)
    answers = draft.answers if draft else {}
    form_cls = intake.form_class(step)
    changing = request.GET.get("change") == "1"
    behalf = intake.for_someone_else(answers)
    if request.method == "POST" and step.store == "equality" and "skip" in request.POST:
        # "Skip these questions", on any equality page: one press, nothing kept but that they skipped.
        draft = services.intake_draft_save(
            draft=draft, step=step.store, answers={"skipped": True}, actor=request.user
        )
        _remember(request, draft)
        following = intake.next_step(draft.answers) if not changing else None
        return redirect("homelessness:step", slug=following) if following else redirect("homelessness:check")
    if request.method == "POST":
        form = form_cls(request.POST, behalf=behalf, answers=answers)
        valid = form.is_valid()
        if not valid and "save" in request.POST:
            # "Save and come back later" on a half-answered page: keep what is valid, show no errors.
            draft = services.intake_draft_save_partial(
                draft=draft, step=slug, answers=form.valid_answers(), actor=request.user
            )
            _remember(request, draft)
            return redirect("homelessness:saved")
        if valid:
            before = _emergency(draft)
            # A page split from a bigger one adds its answers to that page's.
            # (An answer given after skipping the equality questions un-skips them.)
            kept = {k: v for k, v in (answers.get(step.store) or {}).items() if k != "skipped"}
            merged = {**kept, **form.as_answers()} if step.group else form.as_answers()
            draft = services.intake_draft_save(
                draft=draft, step=step.store, answers=merged, actor=request.user, page=slug
            )
            _remember(request, draft)
            if slug == "household" and form.cleaned_data["add_person"] == "yes":
                return redirect("homelessness:person")
            if "save" in request.POST:
                return redirect("homelessness:saved")
            following = intake.next_step(draft.answers) if not changing else None
            if not before and _emergency(draft):
                request.session["homelessness_next"] = following or ""
                return redirect("homelessness:emergency")
            return (
                redirect("homelessness:step", slug=following) if following else redirect("homelessness:check")
            )
    else:
        # What was half answered on this page (saved to come back later) over what its group holds.
        stored = {
            **(answers.get(step.store) or {}),
            **((answers.get(services.PARTIAL) or {}).get(slug) or {}),
        }
        initial = form_cls.initial_from(stored)
        if slug == "household":
            initial = {}  # ask again each time: they may have added someone since
        form = form_cls(initial=initial, behalf=behalf, answers=answers)
    back = intake.step_before(slug, answers)
    pages = [s.slug for s in intake.applicable_steps(answers)]
    return render(
        request,
        "homelessness/step.html",
        {
            "form": form,
            "step": step,
            # "Question 3 of 17": where they are, counted over the pages their answers lead to.
            "question_number": pages.index(slug) + 1 if slug in pages else None,
            "question_count": len(pages),
            "title": step.title_for(answers),
            "behalf": behalf,
            "changing": changing,
            "back_url": reverse("homelessness:check")
            if changing
            else (reverse("homelessness:step", args=[back]) if back else reverse("homelessness:start")),
            "people": household.listed(answers) if slug == "household" else None,
            "emergency": _emergency(draft),
        },
    )


@never_cache
def apply_emergency(request):
    following = request.session.get("homelessness_next") or ""
    next_url = reverse("homelessness:step", args=[following]) if following else reverse("homelessness:check")
    return render(request, "homelessness/emergency.html", {"next_url": next_url})


@never_cache
def apply_saved(request):
    draft = _draft(request)
    if draft is None:
        return redirect("homelessness:start")
    # Someone with nowhere safe tonight who stops here still sees the 24-hour number.
    emergency = _emergency(draft)
    if request.user.is_authenticated:
        return render(request, "homelessness/saved.html", {"signed_in": True, "emergency": emergency})
    form = ResumeEmailForm(
        request.POST or None,
        # The address that proved it is theirs first: contact answers may have been typed by someone else.
        initial={"email": draft.verified_email or draft.answers.get("contact", {}).get("email", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_draft_send_resume_link(
                draft=draft, email=form.cleaned_data["email"], actor=request.user
            )
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            return render(
                request,
                "homelessness/saved.html",
                {"email": form.cleaned_data["email"], "emergency": emergency},
            )
    return render(request, "homelessness/save_email.html", {"form": form, "emergency": emergency})


@never_cache
def apply_resume(request, token: str):
    """The emailed link shows a button; only pressing it uses the link (mail scanners fetch links too)."""
    if request.method == "POST":
        draft = services.intake_draft_resume(token=token, actor=request.user)
    else:
        draft = services.intake_draft_from_token(token)
    if draft is None:
        return render(request, "homelessness/resume_expired.html", status=404)
    if request.method != "POST":
        return render(request, "homelessness/resume.html")
    forget_journey(request.session)
    _remember(request, draft)
    return redirect("homelessness:apply")


@never_cache
def exit_page(request):
    """'Exit this page': the draft this browser can reach is deleted and the session ended, then away."""
    draft = _draft(request)
    if draft is not None:
        services.intake_draft_discard(draft=draft, actor=request.user)
    request.session.flush()
    return HttpResponseRedirect(settings.HOMELESSNESS_EXIT_URL)


@never_cache
def apply_check(request):
    draft = _draft(request)
    if draft is None:
        return redirect("homelessness:apply")
    missing = intake.next_step(draft.answers)
    if missing:
        return redirect("homelessness:step", slug=missing)
    errors, status = [], 200
    if request.method == "POST":
        wait = rate_limit_wait(action="homelessness_intake", values={"client": client_ip(request)})
        if not wait:
            case = services.intake_submit(draft=draft, actor=request.user)
            request.session.pop(DRAFT_KEY, None)
            _remember_case(request, case.reference)
            return redirect("homelessness:done", reference=case.reference)
        # The draft stays as it is, ready to send once the wait is over.
        errors, status = [("", _wait_message(wait))], 429
    rows = check_answers.check_rows(draft.answers)
    sections: dict[str, list] = {}
    for row in rows:
        sections.setdefault(row["section"], []).append(row)
    return render(
        request,
        "homelessness/check.html",
        {"sections": sections, "emergency": _emergency(draft), "errors": errors},
        status=status,
    )


@never_cache
def apply_done(request, reference: str):
    case = _applicant_case(request, reference)
    return render(
        request, "homelessness/done.html", {"case": case, "emailed": selectors.confirmation_emailed(case)}
    )
