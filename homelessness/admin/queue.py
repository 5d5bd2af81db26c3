"""The officers' triage queue: its filters and the officers a case can be assigned to."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model

from hackney_portal.users import roles

from .. import selectors
from ..rules import Stage

DUTY_STAGES = (Stage.PREVENTION, Stage.RELIEF)

FLAG_LABELS = {
    "unsafe_tonight": "Nowhere safe tonight",
    "rough_sleeping": "Rough sleeping",
    "domestic_abuse": "Domestic abuse",
    "other_violence": "Violence",
    "pregnant": "Pregnant",
    "children": "Children",
    "aged_16_17": "Aged 16–17",
    "priority_need": "Priority need",
    "interim_s188": "Interim accommodation duty (s.188)",
}


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        queues = [
            ("new", "New and unassigned"),
            ("mine", "Assigned to me"),
            ("urgent", "Urgent"),
            ("due7", "Deadline within 7 days"),
            ("overdue", "Overdue"),
        ]
        if selectors.in_restricted_team(request.user):
            queues.append(("team", "Restricted cases team"))
        return queues

    def queryset(self, request, queryset):
        if self.value():
            return selectors.queue(queryset, self.value(), user=request.user)
        return queryset


def _officers():
    return (
        get_user_model()
        .objects.filter(groups__name__in=[roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS], is_active=True)
        .distinct()
        .order_by("name", "email")
    )
