"""The finance officer's back office: income files, reconciliation runs and working their discrepancies."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from hackney_portal.core.admin import ReadOnlyAdmin
from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.outbox import enqueue
from hackney_portal.frontend.formatting import table_datetime
from hackney_portal.frontend.templatetags.govuk import pence

from . import services
from .calendar import business_date
from .models import Discrepancy, IncomeFile, ReconciliationRun, Refund

# The labels ask for YYYY-MM-DD, and only that is read: Django's other input formats read "12/01/2026" in
# the active locale's order, and one officer's 12 January is another's 1 December.
ISO_DAY = ["%Y-%m-%d"]


class IncomeDayForm(forms.Form):
    day = forms.DateField(
        label="Business day (YYYY-MM-DD)",
        input_formats=ISO_DAY,
        help_text="A day that has ended, in London time. For example, 2026-12-03",
        error_messages={
            "required": "Enter the day",
            "invalid": "Enter the day as YYYY-MM-DD, like 2026-12-03",
        },
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        # Today's file would miss the rest of today's payments, and a made file never changes.
        if day >= business_date():
            raise forms.ValidationError("Choose a day before today: today's payments are still coming in")
        if day < dt.date(2000, 1, 1):
            raise forms.ValidationError("Choose a day in 2000 or later")
        return day


@admin.register(IncomeFile)
class IncomeFileAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "batch_id", "row_count", "total_pence", "created_at", "download"]
    date_hierarchy = "business_date"
    # Not the file field itself: private storage has no public URL (the stock widget would ask it for one);
    # the file is downloaded through the audited view.
    fields = ["business_date", "batch_id", "row_count", "total_pence", "sha256", "created_at", "download"]

    @admin.display(description="File")
    def download(self, obj):
        return format_html(
            '<a href="{}">Download CSV<span class="visually-hidden"> for {}</span></a>',
            reverse("admin:payments_incomefile_download", args=[obj.pk]),
            obj.business_date,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="payments_incomefile_download",
            ),
            path("make/", self.admin_site.admin_view(self.make_view), name="payments_incomefile_make"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "make_url": reverse("admin:payments_incomefile_make")}
        return super().changelist_view(request, extra_context)

    def download_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        income = get_object_or_404(IncomeFile, pk=pk)
        audit_log(actor=request.user, action="payments.income_file.downloaded", obj=income)
        response = HttpResponse(income.content.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{income.batch_id}.csv"'
        return response

    def make_view(self, request):
        """Make (or make again) the income file for a chosen day: the same bytes when nothing changed."""
        if not request.user.has_perm("payments.view_incomefile"):
            raise PermissionDenied
        form = IncomeDayForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            day = form.cleaned_data["day"]
            try:
                income = services.income_file_generate(day=day, actor=request.user)
            except ApplicationError as exc:
                form.add_error("day", exc.message)
            else:
                audit_log(
                    actor=request.user,
                    action="payments.income_file.made",
                    obj=income,
                    data={"day": day.isoformat(), "sha256": income.sha256},
                )
                messages.success(
                    request,
                    f"Income file {income.batch_id} for {day:%-d %B %Y}: {income.row_count} rows, "
                    f"{pence(income.total_pence)}.",
                )
                return redirect("admin:payments_incomefile_change", income.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Make the income file for a day",
            "intro": "If the file for that day was made before, you get the same file again. A day whose "
            "payments changed after its file was made is refused, so nothing is exported twice.",
            "submit": "Make the file",
            "opts": self.model._meta,
        }
        return render(request, "admin/payments/reconcile.html", context)


class ReconcileForm(forms.Form):
    period_start = forms.DateField(
        label="From (YYYY-MM-DD)",
        input_formats=ISO_DAY,
        help_text="The first day to check, in London time. For example, 2026-12-01",
        error_messages={
            "required": "Enter the first day to check",
            "invalid": "Enter the first day as YYYY-MM-DD, like 2026-12-01",
        },
    )
    period_end = forms.DateField(
        label="To (YYYY-MM-DD)",
        input_formats=ISO_DAY,
        help_text="The last day to check. It must have ended, in London time. For example, 2026-12-03",
        error_messages={
            "required": "Enter the last day to check",
            "invalid": "Enter the last day as YYYY-MM-DD, like 2026-12-03",
        },
    )

    def clean_period_end(self):
        end = self.cleaned_data["period_end"]
        # As for the income file: a payment made or credited while a day is still running shows as a
        # discrepancy that no later run clears, and Stripe's report refuses a window past its data.
        if end >= business_date():
            raise forms.ValidationError(
                "Choose a last day before today: today's payments are still coming in"
            )
        return end

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The last day must be the same as or after the first day")
        return cleaned


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "period_start",
        "period_end",
        "status",
        "transactions_seen",
        "matched",
        "discrepancies_found",
        "repaired",
        "finished_at",
    ]
    list_filter = ["status"]

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="payments_reconciliationrun_run"),
            *super().get_urls(),
        ]

    def run_view(self, request):
        if not request.user.has_perm("payments.view_reconciliationrun"):
            raise PermissionDenied
        form = ReconcileForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                enqueue(
                    "payments.tasks.reconciliation_run",
                    form.cleaned_data["period_start"].isoformat(),
                    form.cleaned_data["period_end"].isoformat(),
                )
                audit_log(
                    actor=request.user,
                    action="payments.reconciliation.requested",
                    data={k: v.isoformat() for k, v in form.cleaned_data.items()},
                )
            messages.success(request, "Reconciliation started. Refresh this list to see it finish.")
            return redirect("admin:payments_reconciliationrun_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Run reconciliation",
            "opts": self.model._meta,
        }
        return render(request, "admin/payments/reconcile.html", context)


class ResolveForm(forms.Form):
    note = forms.CharField(label="How was it resolved?", widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Discrepancy)
class DiscrepancyAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "status",
        "key",
        "payment",
        "expected_pence",
        "actual_pence",
        "detail",
        "resolve_link",
    ]
    list_filter = ["status", "kind", "resolution"]
    search_fields = ["key", "payment__reference"]
    list_select_related = ["payment", "resolved_by"]
    fields = [
        "kind",
        "status",
        "key",
        "payment",
        "ledger_entry",
        "expected_pence",
        "actual_pence",
        "detail",
        "run",
        "created_at",
        "resolution",
        "resolved_by",
        "resolved_at",
        "resolution_note",
        "refund",
    ]

    @admin.display(description="Work it")
    def resolve_link(self, obj):
        if obj.status != Discrepancy.Status.OPEN:
            who = obj.resolved_by.email if obj.resolved_by else "automatically"
            when = table_datetime(obj.resolved_at)  # in London time, as every date the officer reads
            how = obj.get_resolution_display() or obj.get_status_display()
            return f"{how}: {who} {when}".strip()
        resolve = format_html(
            '<a href="{}">Resolve<span class="visually-hidden"> {}</span></a>',
            reverse("admin:payments_discrepancy_resolve", args=[obj.pk]),
            obj.key,
        )
        if obj.kind == Discrepancy.Kind.DUPLICATE and services.duplicate_refundable_pence(obj):
            refund = format_html(
                '<a href="{}">Refund duplicate<span class="visually-hidden"> {}</span></a>',
                reverse("admin:payments_discrepancy_refund", args=[obj.pk]),
                obj.key,
            )
            return format_html("{} · {}", refund, resolve)
        return resolve

    def get_urls(self):
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="payments_discrepancy_resolve",
            ),
            path(
                "<int:pk>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_discrepancy_refund",
            ),
            *super().get_urls(),
        ]

    def resolve_view(self, request, pk: int):
        if not request.user.has_perm("payments.change_discrepancy"):
            raise PermissionDenied
        d = get_object_or_404(Discrepancy, pk=pk)
        form = ResolveForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.discrepancy_resolve(
                    discrepancy_id=d.pk, note=form.cleaned_data["note"], actor=request.user
                )
            except ApplicationError as exc:
                form.add_error("note", exc.message)
            else:
                messages.success(request, "Discrepancy resolved.")
                return redirect("admin:payments_discrepancy_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": f"Resolve: {d}",
            "opts": self.model._meta,
        }
        return render(request, "admin/payments/reconcile.html", context)

    def refund_view(self, request, pk: int):
        """Confirm, then refund a duplicate charge to the card: capped by what was charged, once."""
        if not (
            request.user.has_perm("payments.change_discrepancy")
            and request.user.has_perm("payments.add_refund")
        ):
            raise PermissionDenied
        d = get_object_or_404(Discrepancy.objects.select_related("payment__account"), pk=pk)
        error = ""
        if request.method == "POST":
            try:
                d = services.discrepancy_refund_duplicate(discrepancy_id=d.pk, actor=request.user)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    f"Duplicate charge of {pence(d.refund.amount_pence)} on {d.payment.reference} refunded "
                    "to the card. The rent account is not changed.",
                )
                return redirect("admin:payments_discrepancy_changelist")
        context = {
            **self.admin_site.each_context(request),
            "d": d,
            "amount_pence": services.duplicate_refundable_pence(d),
            "already": d.refund_id is not None,
            "error": error,
            "title": f"Refund duplicate charge: {d.key}",
            "opts": self.model._meta,
        }
        return render(
            request, "admin/payments/discrepancy_refund.html", context, status=400 if error else 200
        )


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount_pence", "status", "reason", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["payment__reference", "provider_refund_id"]
    list_select_related = ["payment", "created_by"]
