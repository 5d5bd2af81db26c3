"""The case admin: the triage queue and the case workspace."""

from __future__ import annotations

from django import forms as djforms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from hackney_portal.core.forms import ApplicationError

from .. import admin_forms, forms, hclic, rules, selectors, services
from ..letter_pdf import letter_pdf as render_letter_pdf
from ..models import Case, DecisionLetter, Document, Review
from ..rules import END_REASONS, MOVES, Stage
from .queue import DUTY_STAGES, FLAG_LABELS, QueueFilter, _officers


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "applicant_name",
        "stage_label",
        "assigned_to",
        "days_left",
        "flags_label",
        "created_at",
    ]
    list_filter = [QueueFilter, "stage", "route"]
    search_fields = ["reference", "applicant_name", "contact_email"]
    list_select_related = ["assigned_to"]
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over 100,000 cases on every page is not worth it
    ordering = ["-urgent", "duty_deadline", "-created_at"]

    def get_queryset(self, request):
        # The list shows none of the encrypted fields: do not fetch and decrypt them for every row.
        return (
            selectors.cases_visible_to(request.user)
            .select_related("assigned_to")
            .defer("details", "support_needs", "safe_contact")
        )

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or selectors.cases_visible_to(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return False  # cases come from the intake and referrals, or officers use the public form

    def has_delete_permission(self, request, obj=None):
        return False  # only the retention job deletes

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and request.user.has_perm("homelessness.change_case")

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
        labels = [FLAG_LABELS.get(f, f) for f in obj.flags]
        if obj.urgent:
            labels.insert(0, "URGENT")
        if obj.restriction:
            labels.append("Restricted: restricted cases team" if obj.restricted_team else "Restricted")
        return ", ".join(labels)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if cl is not None:
            # The list shows names and circumstances too: who saw which cases is recorded.
            services.case_list_record(
                actor=request.user,
                references=[c.reference for c in cl.result_list],
                query=request.GET.urlencode(),
            )
        return response

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/act/<str:action>/", wrap(self.act), name="homelessness_case_act"),
            path("<int:pk>/documents/<int:doc_id>/", wrap(self.document), name="homelessness_case_document"),
            path(
                "<int:pk>/letters/<int:letter_id>/pdf/",
                wrap(self.letter_pdf),
                name="homelessness_case_letter_pdf",
            ),
            *super().get_urls(),
        ]

    def _case(self, request, pk) -> Case:
        case = selectors.cases_visible_to(request.user).filter(pk=pk).first()
        if case is None or not self.has_view_permission(request, case):
            # Restricted or outside the officer's groups: the same as not existing, and the attempt is logged.
            services.case_access_denied(actor=request.user, case_id=pk)
            raise Http404
        return case

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self._case(request, object_id)
        services.case_view_record(case=case, actor=request.user)
        return self._workspace(request, case)

    def _forms(self, request, case: Case, bound: dict | None = None) -> dict:
        bound = bound or {}
        # Opening a prevention or relief duty is its own decision, with a letter (see the accept actions).
        stages = [(s, Stage(s).label) for s in MOVES.get(Stage(case.stage), []) if s not in DUTY_STAGES]
        if END_REASONS.get(Stage(case.stage)):
            stages.append((Stage.CLOSED, "Close the case / end the duty"))
        move = bound.get("move") or admin_forms.DecisionMoveForm(stages=stages, stage=case.stage)
        move.fields["end_reason"].choices = [
            ("", "---"),
            *[(r, r.label) for r in END_REASONS.get(Stage(case.stage), [])],
        ]
        return {
            "assign": bound.get("assign")
            or forms.AssignForm(
                # A case routed to the restricted-cases team can only be given to one of its officers.
                officers=selectors.restricted_team_officers().order_by("name", "email")
                if case.restricted_team
                else _officers(),
                initial={"officer": request.user.pk},
            ),
            "assessment": bound.get("assessment")
            or forms.AssessmentForm(
                initial={
                    "eligible": {True: "yes", False: "no"}.get(case.eligible, ""),
                    "outcome": case.assessment_outcome,
                    "priority_need": case.priority_need,
                    "household_type": case.household_type,
                    "reason_loss": case.reason_loss,
                    "accommodation_at_application": case.accommodation_at_application,
                    "support_needs": case.support_needs,
                }
            ),
            "move": move,
            "note": bound.get("note") or forms.NoteForm(),
            "docreq": bound.get("docreq") or forms.DocumentRequestForm(),
            "plan": bound.get("plan") or forms.PlanStepForm(),
            "noncoop": bound.get("noncoop") or forms.NonCooperationForm(),
            "noncoop_warn": bound.get("noncoop_warn") or admin_forms.NonCooperationWarningForm(),
            "review_request": bound.get("review_request")
            or admin_forms.LateReviewRequestForm(letters=case.letters.all()),
            "accept_prevention": bound.get("accept_prevention") or admin_forms.AcceptDutyForm(),
            "accept_relief": bound.get("accept_relief") or admin_forms.AcceptDutyForm(),
            "intentionality": bound.get("intentionality") or admin_forms.IntentionalityForm(),
            "local_connection": bound.get("local_connection") or admin_forms.LocalConnectionForm(),
            "hold": bound.get("hold")
            or admin_forms.LegalHoldForm(initial={"hold": "0" if case.legal_hold else "1"}),
            "review_decide": bound.get("review_decide")
            or forms.ReviewDecideForm(reviews=case.reviews.filter(decided_on__isnull=True)),
            "placement": bound.get("placement") or forms.PlacementForm(),
            "restrict": bound.get("restrict") or forms.RestrictForm(officers=_officers()),
        }

    def _workspace(self, request, case: Case, bound: dict | None = None, status: int = 200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Case {case.reference}",
            "case": case,
            "flags": self.flags_label(case),
            "days_left": selectors.days_left(case),
            "members": case.members.all(),
            "assessments": case.assessments.select_related("made_by"),
            "referral": getattr(case, "referral", None),
            "notes": case.notes.select_related("author"),
            "case_messages": case.messages.select_related("notification"),
            "letters": case.letters.select_related("issued_by"),
            "reviews": case.reviews.select_related("reviewer", "original_decider"),
            "notices": case.noncooperation_notices.select_related("proposed_by", "approved_by"),
            "plan_steps": case.plan_steps.all(),
            "requests": case.document_requests.prefetch_related("documents"),
            "documents": case.documents.all(),
            "placements": case.placements.all(),
            "can_change": self.has_change_permission(request, case),
            "noncoop_warning_days": rules.NONCOOPERATION_WARNING_DAYS,
            "retention": selectors.retention_summary(case),
            "hclic_problems": hclic.case_problems(case),
            "can_hold": services.officer_seniority(request.user) >= 2,
            "forms": self._forms(request, case, bound),
        }
        return render(request, "admin/homelessness/case/workspace.html", context, status=status)

    def act(self, request, pk: int, action: str):
        case = self._case(request, pk)
        if request.method != "POST":
            return redirect("admin:homelessness_case_change", case.pk)
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        handler = getattr(self, f"_act_{action}", None)
        if handler is None:
            raise Http404
        form = handler(request, case)
        if form is None:
            return redirect(reverse("admin:homelessness_case_change", args=[case.pk]))
        messages.error(request, "The action was not done: see the errors below.")
        return self._workspace(request, Case.objects.get(pk=case.pk), bound={action: form}, status=400)

    def _run(self, request, form, call, done: str):
        """Validate the form, call one service, and report; returns the form when it has errors."""
        if not form.is_valid():
            return form
        try:
            call(form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return form
        messages.success(request, done)
        return None

    def _act_assign(self, request, case):
        form = forms.AssignForm(request.POST, officers=_officers())
        return self._run(
            request,
            form,
            lambda d: services.case_assign(case=case, officer=d["officer"], actor=request.user),
            "Case assigned.",
        )

    def _act_assessment(self, request, case):
        form = forms.AssessmentForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.case_record_assessment(case=case, actor=request.user, **d),
            "Assessment recorded.",
        )

    def _act_move(self, request, case):
        stages = [(s, s) for s in Stage.values if s not in DUTY_STAGES]
        form = admin_forms.DecisionMoveForm(request.POST, stages=stages, stage=case.stage)
        return self._run(
            request,
            form,
            lambda d: services.case_move(
                case=case,
                actor=request.user,
                to_stage=d["to_stage"],
                end_reason=d["end_reason"],
                reasons=d["reasons"],
                confirmed=d["confirmed"],
            ),
            "Case moved.",
        )

    def _act_note(self, request, case):
        form = forms.NoteForm(request.POST)
        return self._run(
            request, form, lambda d: services.case_note_add(case=case, actor=request.user, **d), "Note added."
        )

    def _act_docreq(self, request, case):
        form = forms.DocumentRequestForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.document_request_create(case=case, actor=request.user, **d),
            "Document requested.",
        )

    def _act_plan(self, request, case):
        form = forms.PlanStepForm(request.POST)
        return self._run(
            request, form, lambda d: services.plan_step_add(case=case, actor=request.user, **d), "Step added."
        )

    def _act_noncoop(self, request, case):
        form = forms.NonCooperationForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.noncooperation_propose(case=case, actor=request.user, **d),
            "Non-cooperation notice proposed: a senior officer must approve it.",
        )

    def _act_accept_prevention(self, request, case):
        form = admin_forms.AcceptDutyForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.case_accept_prevention_duty(case=case, actor=request.user, **d),
            "Prevention duty accepted: the letter has been sent.",
        )

    def _act_accept_relief(self, request, case):
        form = admin_forms.AcceptDutyForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.case_accept_relief_duty(case=case, actor=request.user, **d),
            "Relief duty accepted: the letter has been sent.",
        )

    def _act_intentionality(self, request, case):
        form = admin_forms.IntentionalityForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.case_decide_intentionality(case=case, actor=request.user, **d),
            "Intentionality decision recorded: the letter has been sent.",
        )

    def _act_local_connection(self, request, case):
        form = admin_forms.LocalConnectionForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.case_refer_local_connection(case=case, actor=request.user, **d),
            "Case referred (s.198): the letter has been sent.",
        )

    def _act_noncoop_warn(self, request, case):
        form = admin_forms.NonCooperationWarningForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.case_noncooperation_warn(case=case, actor=request.user, **d),
            "Warning letter sent (s.193B(4)).",
        )

    def _act_noncoop_approve(self, request, case):
        notice = case.noncooperation_notices.filter(pk=request.POST.get("notice")).first()
        if notice is None:
            raise Http404
        form = djforms.Form(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.noncooperation_approve(notice=notice, actor=request.user),
            "Non-cooperation notice approved.",
        )

    def _act_review_request(self, request, case):
        form = admin_forms.LateReviewRequestForm(
            request.POST, letters=DecisionLetter.objects.filter(case=case)
        )
        return self._run(
            request, form, lambda d: services.review_request(actor=request.user, **d), "Review recorded."
        )

    def _act_review_decide(self, request, case):
        form = forms.ReviewDecideForm(
            request.POST, reviews=Review.objects.filter(case=case, decided_on__isnull=True)
        )
        return self._run(
            request, form, lambda d: services.review_decide(actor=request.user, **d), "Review decided."
        )

    def _act_placement(self, request, case):
        form = forms.PlacementForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.placement_add(case=case, actor=request.user, **d),
            "Placement recorded.",
        )

    def _act_restrict(self, request, case):
        form = forms.RestrictForm(request.POST, officers=_officers())
        return self._run(
            request,
            form,
            lambda d: services.case_restrict(
                case=case, actor=request.user, restriction=d["restriction"], officers=list(d["officers"])
            ),
            "Case restricted.",
        )

    def _act_hold(self, request, case):
        form = admin_forms.LegalHoldForm(request.POST)
        return self._run(
            request,
            form,
            lambda d: services.case_legal_hold_set(case=case, actor=request.user, **d),
            "Legal hold updated.",
        )

    def letter_pdf(self, request, pk: int, letter_id: int):
        case = self._case(request, pk)
        letter = DecisionLetter.objects.filter(case=case, pk=letter_id).first()
        if letter is None:
            raise Http404
        services.letter_download_record(letter=letter, actor=request.user, fmt="pdf")
        response = HttpResponse(render_letter_pdf(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{case.reference}-letter-{letter.pk}.pdf"'
        return response

    def document(self, request, pk: int, doc_id: int):
        case = self._case(request, pk)
        doc = Document.objects.filter(case=case, pk=doc_id).first()
        if doc is None:
            raise Http404
        services.case_view_record(
            case=case, actor=request.user, what="document_opened", data={"document": doc.pk}
        )
        response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{case.reference}-{doc.pk}.{doc.file.name.rsplit(".", 1)[-1]}"'
        )
        return response
