"""Duty to Refer, and the applicant's own case: its status, housing plan steps and letters.

Never cached, as the intake pages are: they hold people's most sensitive circumstances.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hackney_portal.core.exceptions import ApplicationError, add_application_error
from hackney_portal.core.ratelimit import client_ip, rate_limit_wait

from .. import selectors, services
from ..forms import ReferralForm, UploadForm
from ..letter_pdf import letter_pdf as render_letter_pdf
from ..models import PlanStep
from .intake import _applicant_case, _remember_case, _wait_message


@never_cache
def refer(request):
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = rate_limit_wait(
            action="homelessness_referral",
            values={"client": client_ip(request), "email": form.cleaned_data.get("referrer_email")},
        )
        if wait:
            form.add_error(None, _wait_message(wait))
            return render(request, "homelessness/refer.html", {"form": form}, status=429)
        try:
            case = services.referral_submit(data=form.cleaned_data, actor=request.user)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            request.session["homelessness_referral"] = case.reference
            return redirect("homelessness:refer_done")
    return render(request, "homelessness/refer.html", {"form": form})


@never_cache
def refer_done(request):
    reference = request.session.get("homelessness_referral")
    if not reference:
        return redirect("homelessness:refer")
    return render(request, "homelessness/refer_done.html", {"reference": reference})


@never_cache
def status_link(request, token: str):
    case = services.case_from_status_token(token)
    if case is None:
        raise Http404
    _remember_case(request, case.reference)
    return redirect("homelessness:case", reference=case.reference)


@never_cache
def my_cases(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    return render(
        request, "homelessness/my_cases.html", {"cases": selectors.cases_for_resident(request.user)}
    )


@never_cache
def case_status(request, reference: str):
    case = _applicant_case(request, reference)
    upload_form = None
    if request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES, case=case)
        if upload_form.is_valid():
            try:
                services.document_upload(
                    case=case,
                    actor=request.user,
                    upload=upload_form.cleaned_data["file"],
                    request=upload_form.cleaned_data["request"],
                )
            except ApplicationError as error:
                add_application_error(upload_form, error)
            else:
                messages.success(request, "Your file has been sent to your housing officer.")
                return redirect("homelessness:case", reference=case.reference)
    # The applicant reading their case is a read of case data too: by them, or by whoever holds their link.
    who = request.user if request.user.is_authenticated else "the applicant's status link"
    services.case_view_record(case=case, actor=who, what="viewed_by_applicant")
    return render(
        request,
        "homelessness/case.html",
        {
            "case": case,
            "summary": selectors.status_summary(case),
            "form": upload_form or UploadForm(),
            "failed_request": request.POST.get("request", "") if upload_form else "",
        },
    )


@never_cache
@require_POST
def plan_step_toggle(request, reference: str, step_id: int):
    case = _applicant_case(request, reference)
    step = get_object_or_404(PlanStep, pk=step_id, case=case, owner=PlanStep.Owner.APPLICANT)
    services.plan_step_complete(step=step, actor=request.user, done=request.POST.get("done") == "1")
    return redirect(f"{reverse('homelessness:case', args=[case.reference])}#plan")


@never_cache
def letter(request, reference: str, letter_id: int):
    case = _applicant_case(request, reference)
    found = get_object_or_404(case.letters, pk=letter_id)
    services.letter_download_record(letter=found, actor=request.user, fmt="html")
    return render(request, "homelessness/letter.html", {"case": case, "letter": found})


@never_cache
def letter_pdf(request, reference: str, letter_id: int):
    case = _applicant_case(request, reference)
    found = get_object_or_404(case.letters, pk=letter_id)
    services.letter_download_record(letter=found, actor=request.user, fmt="pdf")
    response = HttpResponse(render_letter_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-letter-{found.pk}.pdf"'
    return response
