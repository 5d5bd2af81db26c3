import csv

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from hackney_portal.core.admin import PenceInPoundsList
from hackney_portal.core.audit import audit_log
from hackney_portal.core.csvsafe import csv_safe
from hackney_portal.core.exceptions import ApplicationError

from . import services
from .models import Application, Opportunity, Synonym


class OpportunityAdminForm(forms.ModelForm):
    """A postcode we cannot find is refused here as for employers: it would leave the listing off the map."""

    class Meta:
        model = Opportunity
        # Every editable field, as the admin shows without a form of its own (naming only the postcode here
        # would leave the change page with nothing else to edit).
        fields = "__all__"  # noqa: DJ007 - the admin itself leaves out its read-only fields

    def clean_postcode(self):
        from .services import postcode_require_known

        try:
            return postcode_require_known(self.cleaned_data.get("postcode") or "")
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Opportunity)
class OpportunityAdmin(PenceInPoundsList, admin.ModelAdmin):
    form = OpportunityAdminForm
    list_display = [
        "title",
        "employer_name",
        "kind",
        "status",
        "below_minimum_wage",
        "london_living_wage",
        "claims_london_living_wage",
        "closing_date",
        "published_at",
        "changes_waiting",
        "applications_link",
    ]
    list_filter = [
        "status",
        "kind",
        "below_minimum_wage",
        "sector",
        "london_living_wage",
        "claims_london_living_wage",
        "disability_confident_verified",
        ("pending_edit_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "employer_name"]
    readonly_fields = [
        "status",
        "published_at",
        "rejection_reason",
        "description_html",
        "created_at",
        "employer",
        "below_minimum_wage",
        "london_living_wage",
        "claims_london_living_wage",
        "wage_problems",
        "wage_override_reason",
        "wage_override_by",
        "wage_override_at",
        "pending_changes",
        "edit_rejection_reason",
    ]
    actions = ["publish", "reject", "close", "approve_edits", "reject_edits"]

    @admin.display(boolean=True, description="Changes waiting")
    def changes_waiting(self, obj):
        return bool(obj.pending_edit)

    @admin.display(description="Employer's changes waiting for review")
    def pending_changes(self, obj):
        from django.utils.html import format_html_join

        from .selectors import pending_edit_changes

        rows = pending_edit_changes(obj)
        if not rows:
            return "None"
        return format_html_join(
            "", "<p><strong>{}</strong>: {} <br>→ {}</p>", ((what, now, new) for what, now, new in rows)
        )

    @admin.action(
        description="Approve the employers' changes to selected live listings", permissions=["change"]
    )
    def approve_edits(self, request, queryset):
        from django.shortcuts import render

        from .selectors import pending_edit_preview

        reason = (request.POST.get("wage_override_reason") or "").strip()
        flagged = [p for p in (pending_edit_preview(o) for o in queryset) if p and p.below_minimum_wage]
        if flagged and not ("apply" in request.POST and reason):
            return render(
                request,
                "admin/employment/publish_override.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Publish changes below the minimum wage",
                    "action": "approve_edits",
                    "opportunities": queryset,
                    "flagged": flagged,
                    "error": "Enter the reason for publishing" if "apply" in request.POST else "",
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        flagged_ids = {p.pk for p in flagged}
        self._each(
            request,
            queryset,
            lambda o: services.opportunity_edit_approve(
                opp_id=o.pk, actor=request.user, wage_override_reason=reason if o.pk in flagged_ids else ""
            ),
        )
        return None

    @admin.action(description="Reject the employers' changes (the reason is emailed)", permissions=["change"])
    def reject_edits(self, request, queryset):
        from django.shortcuts import render

        reason = (request.POST.get("reason") or "").strip()
        if "apply" in request.POST and reason:
            self._each(
                request,
                queryset,
                lambda o: services.opportunity_edit_reject(opp_id=o.pk, reason=reason, actor=request.user),
            )
            return None
        return render(
            request,
            "admin/employment/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject changes",
                "action": "reject_edits",
                "opportunities": queryset,
                "error": "Enter the reason the employer will be sent" if "apply" in request.POST else "",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Applications")
    def applications_link(self, obj):
        url = reverse("admin:employment_application_changelist") + f"?opportunity__id__exact={obj.pk}"
        return format_html('<a href="{}">Inbox</a>', url)

    def save_model(self, request, obj, form, change):
        # Listings change state only through the moderation actions, which record who did what.
        if change:
            services.opportunity_moderator_save(actor=request.user, opp=obj, changed=form.changed_data)
        else:
            fields = {f: form.cleaned_data[f] for f in form.cleaned_data if f != "description_html"}
            obj.pk = services.opportunity_create(actor=request.user, description=obj.summary, **fields).pk

    @admin.action(description="Publish selected listings", permissions=["change"])
    def publish(self, request, queryset):
        from django.shortcuts import render

        reason = (request.POST.get("wage_override_reason") or "").strip()
        flagged = [o for o in queryset if o.below_minimum_wage]
        if flagged and not ("apply" in request.POST and reason):
            # Below the minimum: ask for the moderator's reason first; the same selection comes back.
            return render(
                request,
                "admin/employment/publish_override.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Publish listings below the minimum wage",
                    "opportunities": queryset,
                    "flagged": flagged,
                    "error": "Enter the reason for publishing" if "apply" in request.POST else "",
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        self._each(
            request,
            queryset,
            lambda o: services.opportunity_publish(
                opp_id=o.pk, actor=request.user, wage_override_reason=reason if o.below_minimum_wage else ""
            ),
        )
        return None

    @admin.action(description="Reject selected listings (the reason is emailed)", permissions=["change"])
    def reject(self, request, queryset):
        from django.shortcuts import render

        reason = (request.POST.get("reason") or "").strip()
        if "apply" in request.POST and reason:
            self._each(
                request,
                queryset,
                lambda o: services.opportunity_reject(opp_id=o.pk, reason=reason, actor=request.user),
            )
            return None
        # Ask for the reason first; the same selection comes back with it.
        return render(
            request,
            "admin/employment/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject listings",
                "opportunities": queryset,
                "error": "Enter the reason the employer will be sent" if "apply" in request.POST else "",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Close selected listings", permissions=["change"])
    def close(self, request, queryset):
        self._each(request, queryset, lambda o: services.opportunity_close(opp_id=o.pk, actor=request.user))

    def _each(self, request, queryset, fn):
        done = 0
        for opp in queryset:
            try:
                fn(opp)
                done += 1
            except ApplicationError as exc:
                messages.error(request, f"{opp.title}: {exc.message}")
        if done:
            messages.success(request, f"{done} listing(s) updated.")


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "alternatives"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """The applications inbox: one listing at a time (filter by opportunity), statuses, CSV export."""

    list_display = [
        "reference",
        "name",
        "email",
        "opportunity",
        "status",
        "lives_in_borough",
        "created_at",
        "cv_link",
    ]
    list_filter = ["status", "opportunity"]
    search_fields = ["reference", "name", "email"]
    list_select_related = ["opportunity"]
    readonly_fields = [
        "reference",
        "opportunity",
        "name",
        "email",
        "phone",
        "statement",
        "lives_in_borough",
        "cv_type",
        "created_at",
        "user",
        "cv",
    ]
    fields = [*readonly_fields[:-1], "status", "feedback"]
    actions = ["shortlist", "unsuccessful", "hired", "export_csv"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from . import services

        services.application_set_status(
            application_id=obj.pk,
            status=form.cleaned_data["status"],
            feedback=form.cleaned_data["feedback"],
            actor=request.user,
        )

    @admin.display(description="CV")
    def cv_link(self, obj):
        return format_html(
            '<a href="{}">Download ({})</a>',
            reverse("admin:employment_application_cv", args=[obj.pk]),
            obj.cv_type,
        )

    def get_urls(self):
        return [
            path("<int:pk>/cv/", self.admin_site.admin_view(self.cv_view), name="employment_application_cv"),
            *super().get_urls(),
        ]

    def cv_view(self, request, pk: int):
        from django.core.exceptions import PermissionDenied

        if not self.has_view_permission(request):
            raise PermissionDenied
        application = get_object_or_404(Application, pk=pk)
        handle, content_type = services.application_cv_open(application=application, actor=request.user)
        return FileResponse(
            handle,
            as_attachment=True,
            content_type=content_type,
            filename=f"{application.reference}.{application.cv_type}",
        )

    def _set(self, request, queryset, status):
        from . import services

        for application in queryset:
            services.application_set_status(
                application_id=application.pk,
                status=status,
                feedback=application.feedback,
                actor=request.user,
            )
        messages.success(request, f"{queryset.count()} application(s) marked {status}.")

    @admin.action(description="Mark as shortlisted", permissions=["change"])
    def shortlist(self, request, queryset):
        self._set(request, queryset, Application.Status.SHORTLISTED)

    @admin.action(description="Mark as unsuccessful", permissions=["change"])
    def unsuccessful(self, request, queryset):
        self._set(request, queryset, Application.Status.UNSUCCESSFUL)

    @admin.action(description="Mark as hired", permissions=["change"])
    def hired(self, request, queryset):
        self._set(request, queryset, Application.Status.HIRED)

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="applications.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["Reference", "Opportunity", "Name", "Email", "Phone", "Lives in borough", "Status", "Received"]
        )
        for a in queryset.select_related("opportunity"):
            writer.writerow(
                [
                    csv_safe(a.reference),
                    csv_safe(a.opportunity.title),
                    csv_safe(a.name),
                    csv_safe(a.email),
                    csv_safe(a.phone),
                    "yes" if a.lives_in_borough else "no",
                    a.status,
                    a.created_at.isoformat(),
                ]
            )
        audit_log(
            actor=request.user, action="employment.application.exported", data={"count": queryset.count()}
        )
        return response
