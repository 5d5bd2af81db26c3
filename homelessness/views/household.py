"""The household loop (GOV.UK "add another"): a question a page about each person, a Change and a Remove
link for each on the household page, and a confirmation before anyone is removed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from hackney_portal.core.exceptions import ApplicationError

from .. import household, intake, services
from .intake import _draft, _emergency

LIST_CHANGED = "The list of people has changed. Check it, then add or change someone again."


@never_cache
def apply_person(request):
    """'Add someone': the first question about a new person, one past the end of the list."""
    draft = _draft(request)
    if draft is None:
        return redirect("homelessness:apply")
    index = len(household.people(draft.answers))
    return redirect("homelessness:person_page", index=index, page=household.PERSON_PAGES[0].slug)


@never_cache
def apply_person_page(request, index: int, page: str):
    spec = household.PERSON_PAGE_BY_SLUG.get(page)
    if spec is None:
        raise Http404
    draft = _draft(request)
    person = household.person_at(draft.answers, index) if draft else None
    if person is None or not spec.applies_to(person):
        if request.method == "POST" and draft is not None:
            messages.error(request, LIST_CHANGED)
        return redirect("homelessness:step", slug="household")
    answers = draft.answers
    form_cls = household.person_form_class(spec)
    behalf = intake.for_someone_else(answers)
    if request.method == "POST":
        form = form_cls(request.POST, behalf=behalf, answers=answers)
        if form.is_valid():
            try:
                draft = services.intake_draft_save_person(
                    draft=draft, index=index, answers=form.as_answers(), actor=request.user
                )
            except ApplicationError as error:
                # The list changed under this page (someone removed in another tab): start from the list.
                messages.error(request, error.message)
                return redirect("homelessness:step", slug="household")
            person = household.person_at(draft.answers, index) or {}
            following = household.page_after(page, person)
            if following:
                return redirect("homelessness:person_page", index=index, page=following)
            return redirect("homelessness:step", slug="household")
    else:
        form = form_cls(initial=form_cls.initial_from(person), behalf=behalf, answers=answers)
    before = household.page_before(page, person)
    return render(
        request,
        "homelessness/person.html",
        {
            "form": form,
            "person": person,
            "adding": index >= len(household.people(answers)),
            "behalf": behalf,
            "back_url": reverse("homelessness:person_page", args=[index, before])
            if before
            else reverse("homelessness:step", args=["household"]),
            "emergency": _emergency(draft),
        },
    )


@never_cache
def apply_person_remove(request, index: int):
    """GOV.UK "add to a list": removing someone is confirmed on its own page first."""
    draft = _draft(request)
    people = household.people(draft.answers) if draft else []
    if not 0 <= index < len(people):
        return redirect("homelessness:step", slug="household")
    person = people[index]
    error = ""
    if request.method == "POST":
        confirm = request.POST.get("confirm")
        if confirm == "yes":
            services.intake_draft_remove_person(draft=draft, index=index, actor=request.user)
            messages.success(request, f"{person.get('name', 'That person')} has been removed")
            return redirect("homelessness:step", slug="household")
        if confirm == "no":
            return redirect("homelessness:step", slug="household")
        error = f"Select yes if you want to remove {person.get('name', 'this person')}"
    return render(
        request,
        "homelessness/person_remove.html",
        {
            "person": person,
            "error": error,
            "back_url": reverse("homelessness:step", args=["household"]),
            "emergency": _emergency(draft),
        },
        status=400 if error else 200,
    )
