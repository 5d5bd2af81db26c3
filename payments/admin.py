from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from hackney_portal.core.admin import ReadOnlyAdmin, TabularInline
from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from . import admin_phone, selectors, services
from .models import (
    Dispute,
    LedgerEntry,
    Payment,
    Refund,
    RentAccount,
    StripeEvent,
)


class LedgerInline(TabularInline):
    model = LedgerEntry
    fields = ["seq", "business_date", "kind", "description", "amount_pence", "balance_after_pence"]
    readonly_fields = fields
    ordering = ["-seq"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        # Each row's title names its account: read with the entries, not once an entry.
        return super().get_queryset(request).select_related("account")


@admin.register(RentAccount)
class RentAccountAdmin(ReadOnlyAdmin):
    list_display = ["reference", "tenant_name", "postcode", "tenure", "balance_pence", "tenant_view"]
    search_fields = ["reference", "tenant_name", "postcode", "payments__reference"]
    list_filter = ["tenure", "benefit"]
    inlines = [LedgerInline]

    @admin.display(description="Tenant's view")
    def tenant_view(self, obj):
        url = reverse("admin:payments_rentaccount_tenant_view", args=[obj.pk])
        return format_html('<a href="{}">See what the tenant sees</a>', url)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/tenant-view/", view(self.tenant_view_page), name="payments_rentaccount_tenant_view"
            ),
            path(
                "<int:pk>/tenant-view/statement/",
                view(self.tenant_statement_page),
                name="payments_rentaccount_tenant_statement",
            ),
            path(
                "<int:pk>/tenant-view/payments/",
                view(self.tenant_payments_page),
                name="payments_rentaccount_tenant_payments",
            ),
            *super().get_urls(),
        ]

    def _tenant_view(self, request, pk: int, page: str) -> tuple[RentAccount, dict]:
        if not self.has_view_permission(request):
            raise PermissionDenied
        account = get_object_or_404(RentAccount, pk=pk)
        # Every staff look-up of what a tenant sees is recorded, with who, when and which page.
        audit_log(actor=request.user, action="payments.account.tenant_view", obj=account, data={"page": page})
        return account, {
            "account": account,
            "staff_view": True,
            "staff_page": page,
            "staff_back_url": reverse("admin:payments_rentaccount_change", args=[account.pk]),
        }

    def tenant_view_page(self, request, pk: int):
        account, context = self._tenant_view(request, pk, "account")
        context["summary"] = selectors.account_summary(account=account)
        return render(request, "payments/account.html", context)

    def tenant_statement_page(self, request, pk: int):
        from .calendar import business_date
        from .forms import StatementPeriodForm

        account, context = self._tenant_view(request, pk, "statement")
        # The tenant's default statement period, as they first see it.
        start, end, months = StatementPeriodForm().period(business_date())
        statement = selectors.statement_for_period(account=account, start=start, end=end)
        context.update({"statement": statement, "start": start, "end": end, "months": months, "form": None})
        return render(request, "payments/statement.html", context)

    def tenant_payments_page(self, request, pk: int):
        account, context = self._tenant_view(request, pk, "payments")
        context["payments"] = account.payments.select_related("account").order_by("-created_at")[:100]
        return render(request, "payments/history.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "account",
        "seq",
        "business_date",
        "kind",
        "amount_pence",
        "balance_after_pence",
        "payment",
    ]
    list_filter = ["kind", "financial_year"]
    search_fields = ["account__reference", "payment__reference"]
    list_select_related = ["account", "payment"]
    date_hierarchy = "business_date"


class RefundInline(TabularInline):
    model = Refund
    fields = ["provider_refund_id", "amount_pence", "status", "created_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        # Each row's title names its payment: read with the refunds, not once a refund.
        return super().get_queryset(request).select_related("payment")


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount to refund, in pounds", min_value=Decimal("0.01"), decimal_places=2
    )
    reason = forms.CharField(label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "account",
        "amount_pence",
        "status",
        "created_at",
        "taken_by",
        "provider_payment_id",
        "refund_link",
    ]
    list_filter = ["status"]
    search_fields = [
        "reference",
        "account__reference",
        "account__tenant_name",
        "account__postcode",
        "provider_payment_id",
    ]
    list_select_related = ["account", "taken_by"]
    date_hierarchy = "created_at"
    inlines = [RefundInline]
    actions = ["recheck_with_stripe"]

    @admin.display(description="Refund")
    def refund_link(self, obj):
        if obj.status not in {Payment.Status.SUCCEEDED, Payment.Status.PARTLY_REFUNDED}:
            return "-"
        return format_html('<a href="{}">Refund</a>', reverse("admin:payments_payment_refund", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<int:pk>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_payment_refund",
            ),
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="payments_dashboard"),
            path("phone/", self.admin_site.admin_view(admin_phone.phone_start), name="payments_phone_start"),
            path(
                "phone/<str:reference>/",
                self.admin_site.admin_view(admin_phone.phone_card),
                name="payments_phone_card",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "dashboard_url": reverse("admin:payments_dashboard")}
        return super().changelist_view(request, extra_context)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **selectors.finance_dashboard(),
            "phone_payment_url": reverse("admin:payments_phone_start")
            if request.user.has_perm(admin_phone.PERMISSION)
            else "",
            "title": "Finance dashboard",
            "opts": self.model._meta,
        }
        return render(request, "admin/payments/dashboard.html", context)

    def refund_view(self, request, pk: int):
        if not request.user.has_perm("payments.add_refund"):
            raise PermissionDenied
        payment = get_object_or_404(Payment.objects.select_related("account"), pk=pk)
        form = RefundForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.refund_request(
                    payment_id=payment.pk,
                    amount_pence=int(form.cleaned_data["amount"] * 100),
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error("amount", exc.message)
            except services.gateway.GatewayError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Refund of £{form.cleaned_data['amount']} for {payment.reference} sent."
                )
                return redirect("admin:payments_payment_change", payment.pk)
        context = {
            **self.admin_site.each_context(request),
            "payment": payment,
            "form": form,
            "title": f"Refund {payment.reference}",
            "opts": self.model._meta,
        }
        return render(request, "admin/payments/refund.html", context)

    @admin.action(description="Re-check selected payments with Stripe", permissions=["view"])
    def recheck_with_stripe(self, request, queryset):
        for payment in queryset:
            try:
                services.payment_refresh(payment_id=payment.pk, actor=request.user)
            except services.gateway.GatewayError as exc:
                messages.error(request, f"{payment.reference}: {exc}")
        messages.success(request, "Payments re-checked.")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "object_id", "received_at", "processed_at", "source"]
    list_filter = ["type", "source"]
    search_fields = ["event_id", "object_id"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["provider_dispute_id", "payment", "amount_pence", "status", "evidence_due_by"]
    list_filter = ["status"]


# The finance officer's pages (income files, reconciliation, discrepancies, phone payments) live apart.
from . import admin_finance  # noqa: E402, F401
