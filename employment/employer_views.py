"""Hackney Works pages for employers: advertise, see and change their own listings, and work the
applications to them. Everything is scoped to the signed-in employer's own listings (404 otherwise)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from hackney_portal.core.calendar import business_date
from hackney_portal.core.exceptions import ApplicationError, add_application_error

from . import selectors, services
from .forms import ListingForm
from .models import Opportunity

LISTING_FIELDS = [
    "kind",
    "title",
    "summary",
    "sector",
    "contract",
    "hours",
    "pay_period",
    "age_band",
    "hours_per_week",
    "london_living_wage",
    "disability_confident",
    "no_experience_needed",
    "postcode",
    "apply_url",
    "closing_date",
    "pay_min_pence",
    "pay_max_pence",
    "start_date",
    "start_time",
]


def _employer_only(request) -> None:
    from hackney_portal.users.roles import EMPLOYERS, JOBS_MODERATORS, user_in_group

    if not user_in_group(request.user, EMPLOYERS, JOBS_MODERATORS):
        raise PermissionDenied


@login_required
def employer_new(request):
    _employer_only(request)
    form = ListingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in LISTING_FIELDS}
        try:
            opp = services.listing_submit(
                actor=request.user,
                description=form.cleaned_data["description"],
                employer_name=request.user.name or request.user.email,
                **data,
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return render(request, "employment/employer_submitted.html", {"opp": opp})
    return render(request, "employment/employer_new.html", {"form": form})


@login_required
def employer_listings(request):
    """Your listings: what this employer submitted, and only that."""
    _employer_only(request)
    return render(
        request,
        "employment/employer_listings.html",
        {"listings": selectors.employer_listings(user=request.user), "today": business_date()},
    )


@login_required
def employer_edit(request, pk: int):
    _employer_only(request)
    opp = selectors.employer_listing(user=request.user, pk=pk)
    if opp.status == Opportunity.Status.CLOSED:
        raise Http404
    form = ListingForm(
        request.POST if request.method == "POST" else None,
        initial=selectors.listing_form_initial(opp),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in LISTING_FIELDS}
        try:
            opp = services.listing_edit(
                actor=request.user, opp_id=opp.pk, description=form.cleaned_data["description"], **data
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return render(request, "employment/employer_submitted.html", {"opp": opp, "edited": True})
    return render(request, "employment/employer_new.html", {"form": form, "opp": opp})


@login_required
def employer_applications(request, pk: int):
    """The applications to one of this employer's own listings."""
    _employer_only(request)
    opp, applications = selectors.employer_applications(user=request.user, opp_id=pk)
    return render(
        request, "employment/employer_applications.html", {"opp": opp, "applications": applications}
    )


@login_required
def employer_application(request, pk: int):
    """One application: the applicant's details, the CV to download, and its status and feedback."""
    from django.shortcuts import redirect

    from .forms import ApplicationStatusForm

    _employer_only(request)
    application = selectors.employer_application(user=request.user, pk=pk)
    form = ApplicationStatusForm(
        request.POST if request.method == "POST" else None,
        initial={"status": application.status, "feedback": application.feedback},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_set_status(
                application_id=application.pk, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect("employment:employer_applications", pk=application.opportunity_id)
    return render(request, "employment/employer_application.html", {"application": application, "form": form})


@login_required
def employer_application_cv(request, pk: int):
    from django.http import FileResponse

    _employer_only(request)
    application = selectors.employer_application(user=request.user, pk=pk)
    handle, content_type = services.application_cv_open(application=application, actor=request.user)
    return FileResponse(
        handle,
        as_attachment=True,
        content_type=content_type,
        filename=f"{application.reference}.{application.cv_type}",
    )
