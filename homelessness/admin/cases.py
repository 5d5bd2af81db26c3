"""The case admin: the triage queue, and each case's workspace with one URL per officer action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import Http404
from django.urls import path

from .. import selectors, services
from ..models import Case
from . import files
from .actions import ACTIONS
from .queue import QUEUE_FIELDS, CappedPaginator, QueueChangeList, QueueColumns, QueueFilter, queue_table
from .workspace import workspace


def _team_alert(waiting: int, mine: int) -> str:
    cases = "1 urgent case" if waiting == 1 else f"{waiting} urgent cases"
    yours = f"{mine} assigned to you" if mine else "none assigned to you"
    return (
        f"The restricted cases team has {cases} not yet assessed ({yours}). "
        "Open the ‘Restricted cases team’ queue to see them."
    )


# Set on the request by the case list. Only the case list searches cases, and it records each search and what
# it showed; Django's autocomplete (through any model with a foreign key to Case) would run the same search
# unrecorded. No widget uses it, so elsewhere the admin has no search fields, which Django answers with 404.
_CASE_LIST = "_homelessness_case_list"


def _case_number(pk) -> int:
    """The admin's change URL takes any text as the id: what is not a case number is not found."""
    text = str(pk)
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise Http404
    return int(text)


def _visible_in(request) -> set[int]:
    """The cases this request has found visible to its user (see `_visible`)."""
    if not hasattr(request, "_cases_visible"):
        request._cases_visible = set()
    return request._cases_visible


def _read_visible(request, pk) -> Case | None:
    """The case if this request's user may see it, read through the filter (and so known visible)."""
    case = selectors.cases_visible_to(request.user).filter(pk=_case_number(pk)).first()
    if case is not None:
        _visible_in(request).add(case.pk)
    return case


def _visible(request, case) -> bool:
    """Whether this request's user may see the case, asked of the database once a request for each case:
    the workspace asks for viewing and for changing, after reading the case through the same filter. The
    answer is for this request's user only, and kept on the request."""
    seen = _visible_in(request)
    if case.pk not in seen and selectors.cases_visible_to(request.user).filter(pk=case.pk).exists():
        seen.add(case.pk)
    return case.pk in seen


@admin.register(Case)
class CaseAdmin(QueueColumns, admin.ModelAdmin):
    list_display = ["reference", "applicant_name", "stage_label", "assigned_to", "days_left", "flags_label"]
    list_display += ["created_at"]
    list_filter = [QueueFilter, "stage", "route"]
    search_fields = ["reference", "applicant_name", "contact_email"]
    list_select_related = ["assigned_to"]
    list_per_page = 100
    paginator = CappedPaginator  # "more than 1,000": no exact count over 100,000 cases on every page
    show_full_result_count = False
    ordering = ["-urgent", "duty_deadline", "-created_at"]

    def get_queryset(self, request):
        # The list reads only its own columns: no encrypted field is fetched and decrypted for every row, and
        # a hundred rows are built from a dozen columns rather than every one (and the officer's name, not
        # their whole account).
        return (
            selectors.cases_visible_to(request.user)
            .select_related("assigned_to")
            .only(*QUEUE_FIELDS, "assigned_to__name", "assigned_to__email")
        )

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or _visible(request, obj)

    def has_add_permission(self, request):
        return False  # cases come from the intake and referrals, or officers use the public form

    def has_delete_permission(self, request, obj=None):
        return False  # only the retention job deletes

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and request.user.has_perm("homelessness.change_case")

    def get_search_fields(self, request):
        return super().get_search_fields(request) if getattr(request, _CASE_LIST, False) else ()

    def changelist_view(self, request, extra_context=None):
        setattr(request, _CASE_LIST, True)
        waiting, mine = selectors.restricted_team_alert(request.user)
        if waiting and request.method == "GET":
            # Issue 15 item 6: the team sees, on the queue itself, that someone at risk is waiting for it.
            messages.warning(request, _team_alert(waiting, mine))
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if cl is not None:
            # The list shows names and circumstances too: who saw which cases is recorded.
            references = [c.reference for c in cl.result_list]
            services.case_list_record(
                actor=request.user, references=references, query=request.GET.urlencode()
            )
            response.context_data.update(queue_table(cl))
        return response

    def get_urls(self):
        wrap = self.admin_site.admin_view
        acts = [
            path(f"<int:pk>/act/{a.name}/", wrap(a.view(self)), name=f"homelessness_case_act_{a.name}")
            for a in ACTIONS
        ]
        # Anything else under act/ is no action: not found, rather than falling through to Django's pages.
        acts.append(path("<int:pk>/act/<str:unknown>/", wrap(files.not_found)))
        return [
            *acts,
            path("<int:pk>/documents/<int:doc_id>/", wrap(self.document), name="homelessness_case_document"),
            path(
                "<int:pk>/letters/<int:letter_id>/pdf/",
                wrap(self.letter_pdf),
                name="homelessness_case_letter_pdf",
            ),
            *super().get_urls(),
        ]

    def case_for(self, request, pk) -> Case:
        case = _read_visible(request, pk)
        if case is None or not self.has_view_permission(request, case):
            # Restricted or outside the officer's groups: the same as not existing, and the attempt is logged.
            services.case_access_denied(actor=request.user, case_id=pk)
            raise Http404
        return case

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.case_for(request, object_id)
        services.case_view_record(case=case, actor=request.user)
        return self.workspace(request, case)

    def workspace(self, request, case: Case, bound: dict | None = None, status: int = 200):
        return workspace(self, request, case, bound=bound, status=status)

    def letter_pdf(self, request, pk: int, letter_id: int):
        return files.letter_pdf(self, request, pk, letter_id)

    def document(self, request, pk: int, doc_id: int):
        return files.document(self, request, pk, doc_id)
