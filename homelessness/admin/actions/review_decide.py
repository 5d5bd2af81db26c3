"""Decide a review (s.202), as someone who did not take the decision."""

from __future__ import annotations

from ... import forms, services
from ...models import Review
from .base import CaseAction


class ReviewDecide(CaseAction):
    name = "review_decide"
    form_class = forms.ReviewDecideForm
    done = "Review decided."

    def form_kwargs(self, request, case, *, bound):
        return {"reviews": Review.objects.filter(case=case, decided_on__isnull=True)}

    def perform(self, request, case, data):
        services.review_decide(actor=request.user, **data)


action = ReviewDecide()
