"""The officers' triage queue: its filters and the officers a case can be assigned to."""

from __future__ import annotations

from functools import cached_property
from html import escape

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hackney_portal.frontend.formatting import table_datetime
from hackney_portal.users import roles

from .. import selectors
from ..models import Case
from ..rules import Stage

DUTY_STAGES = (Stage.PREVENTION, Stage.RELIEF)
COUNT_CAP = 1000
# What a queue row shows or sorts by (`queue_table`, `case_flags`, `selectors.days_left`, the ordering).
QUEUE_FIELDS = (
    "id",
    "reference",
    "applicant_name",
    "stage",
    "assigned_to",
    "duty_deadline",
    "flags",
    "urgent",
)
QUEUE_FIELDS += (
    "restriction",
    "restricted_team",
    "created_at",
)  # the queue counts this many rows at most, then says "more than 1,000"


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


def case_flags(case: Case) -> str:
    labels = [FLAG_LABELS.get(f, f) for f in case.flags]
    if case.urgent:
        labels.insert(0, "URGENT")
    if case.restriction:
        labels.append("Restricted: restricted cases team" if case.restricted_team else "Restricted")
    return ", ".join(labels)


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


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: over 100,000 cases an exact COUNT(*) on every page costs more than
    the page itself, and an officer narrows a queue that long with its filters or the search box."""

    @cached_property
    def count(self) -> int:
        # No ORDER BY: the count needs any 1,001 rows, not the first 1,001 in queue order.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def cap(self) -> str:
        return f"{COUNT_CAP:,}"


class QueueColumns:
    """The queue's own columns, for the case admin."""

    @admin.display(description="Stage", ordering="stage")
    def stage_label(self, obj):
        return obj.get_stage_display()

    @admin.display(description="Days left", ordering="duty_deadline")
    def days_left(self, obj):
        left = selectors.days_left(obj)
        if left is None:
            return "–"
        return format_html('<strong class="app-overdue">{} overdue</strong>', -left) if left < 0 else left

    @admin.display(description="Flags")
    def flags_label(self, obj):
        return case_flags(obj)


# Named rows carry `pk`, as model instances do, for anything that reads the page back (tests, the audit).
ROW_FIELDS = ("pk", *QUEUE_FIELDS[1:], "officer_name", "officer_email")


class QueueChangeList(ChangeList):
    """The admin's changelist (filters, search, sorting, paging, all unchanged), whose page of cases is read
    as named rows of the columns the queue shows: building a hundred model instances and their officers' was
    a fifth of the page's own time (profile in docs/performance.md)."""

    def get_results(self, request):
        # Only the page is read as rows: the admin's own queryset (facets, search, actions) stays of models.
        queryset = self.queryset
        self.queryset = queryset.annotate(
            officer_name=F("assigned_to__name"), officer_email=F("assigned_to__email")
        ).values_list(*ROW_FIELDS, named=True)
        try:
            super().get_results(request)
        finally:
            self.queryset = queryset


def queue_table(cl) -> dict:
    """The page of cases as the admin's own results template draws it, each row built here in one pass.

    Django's changelist renders every cell through `items_for_result` (a field lookup, `display_for_field`,
    `format_html` and a `reverse()` per row): at 100 rows that was most of the page's time (profile in
    docs/performance.md). The cells and their markup are the same as the admin's; the headers (sorting links)
    still come from the admin."""
    from django.contrib.admin.templatetags.admin_list import result_headers
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

    headers = list(result_headers(cl))
    base = reverse("admin:homelessness_case_changelist")
    # The filters the officer is in are kept on every case's link, as the admin does, computed once.
    probe = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, f"{base}0/change/"
    )
    query = probe.partition("?")[2]
    suffix = f"?{escape(query)}" if query else ""  # stdlib escape: Django's is lazy-aware and 4x slower
    today = timezone.localdate()
    stages = dict(Stage.choices)
    rows = []
    for case in cl.result_list:
        left = selectors.days_left(case, today=today)
        if left is None:
            days = "–"
        elif left < 0:
            days = f'<strong class="app-overdue">{-left} overdue</strong>'
        else:
            days = str(left)
        officer = case.officer_name or case.officer_email  # as the account's own name: name, else email
        # Every value in the row is escaped above or here; the markup is ours.
        html = (
            f'<th class="field-reference"><a href="{base}{case.pk}/change/{suffix}">'
            f"{escape(case.reference)}</a></th>"
            f'<td class="field-applicant_name">{escape(case.applicant_name or "") or "–"}</td>'
            f'<td class="field-stage_label">{escape(str(stages.get(case.stage, case.stage)))}</td>'
            f'<td class="field-assigned_to nowrap">{escape(officer) if officer else "–"}</td>'
            f'<td class="field-days_left">{days}</td>'
            f'<td class="field-flags_label">{escape(case_flags(case))}</td>'
            f'<td class="field-created_at nowrap">{escape(table_datetime(case.created_at))}</td>'
        )
        rows.append(html)
    # One safe string for the whole body: a template loop over a hundred rows cost 2 ms a page.
    return {
        "queue_rows": mark_safe("".join(f"<tr>{row}</tr>" for row in rows)),  # noqa: S308  # nosec
        "queue_results": rows,
        "queue_headers": headers,
        "queue_sorted": sum(1 for h in headers if h.get("sortable") and h.get("sort_priority")),
    }
