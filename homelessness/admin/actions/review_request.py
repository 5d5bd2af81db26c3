"""Record a request for a review of a decision (s.202), late ones with a reason."""

from __future__ import annotations

from ... import admin_forms, services
from ...models import DecisionLetter
from .base import CaseAction


class ReviewRequest(CaseAction):
    name = "review_request"
    form_class = admin_forms.LateReviewRequestForm
    done = "Review recorded."

    def form_kwargs(self, request, case, *, bound):
        return {"letters": DecisionLetter.objects.filter(case=case)}

    def perform(self, request, case, data):
        services.review_request(actor=request.user, **data)


action = ReviewRequest()
