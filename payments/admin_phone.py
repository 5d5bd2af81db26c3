"""Taking a card payment over the phone (MOTO): two back-office pages on the resident's card path."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from hackney_portal.core.exceptions import ApplicationError, add_application_error
from hackney_portal.frontend.templatetags.govuk import pence

from . import services
from . import stripe_gateway as gateway
from .forms import PhonePaymentForm
from .models import Payment

PERMISSION = "payments.take_phone_payment"


def _allowed(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


@never_cache
def phone_start(request):
    _allowed(request)
    form = PhonePaymentForm(
        request.POST if request.method == "POST" else None, initial={"attempt_key": str(uuid.uuid4())}
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.phone_payment_start(
                account_reference=form.cleaned_data["reference"],
                amount_pence=form.cleaned_data["amount_pence"],
                email=form.cleaned_data.get("email") or "",
                attempt_key=form.cleaned_data["attempt_key"],
                actor=request.user,
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            return redirect("admin:payments_phone_card", reference=payment.reference)
    return render(request, "payments/phone_start.html", {"form": form})


@never_cache
def phone_card(request, reference: str):
    _allowed(request)
    # Only the officer who started it takes it: another's attempt is not theirs to charge.
    payment = get_object_or_404(
        Payment.objects.select_related("account"), reference=reference, taken_by=request.user
    )
    if request.method == "POST" and request.POST.get("action") == "cancel":
        services.payment_expire(payment_id=payment.pk, actor=request.user)
        messages.success(request, f"Phone payment {payment.reference} cancelled. No money was taken.")
        return redirect("admin:payments_dashboard")
    error = ""
    if request.method == "POST":
        token = request.POST.get("card_token", "")
        if not gateway.is_card_token(token):
            error = "Enter the caller's card details"
        else:
            try:
                payment = services.phone_payment_take(
                    payment_id=payment.pk, card_token=token, actor=request.user
                )
            except ApplicationError as exc:
                payment.refresh_from_db()
                if payment.status == Payment.Status.CREATED:
                    error = exc.message
                else:
                    messages.error(request, exc.message)
                    return redirect("admin:payments_phone_start")
    elif payment.status not in {Payment.Status.CREATED}:
        return redirect("admin:payments_payment_change", payment.pk)
    if request.method == "POST" and not error:
        return _outcome(request, payment)
    context = {"payment": payment, "error": error, "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY}
    return render(request, "payments/phone_card.html", context, status=400 if error else 200)


def _outcome(request, payment: Payment):
    if payment.status == Payment.Status.SUCCEEDED:
        receipt = f" A receipt has been sent to {payment.email}." if payment.email else ""
        messages.success(
            request,
            f"Payment {payment.reference} of {pence(payment.amount_pence)} taken for rent account "
            f"{payment.account.reference}.{receipt}",
        )
        return redirect("admin:payments_payment_change", payment.pk)
    if payment.status == Payment.Status.FAILED:
        messages.error(
            request, f"The card payment did not go through: {payment.failure_message}. No money was taken."
        )
        return redirect("admin:payments_phone_start")
    messages.warning(
        request,
        f"Payment {payment.reference} is still being confirmed by the card provider. Check it shortly.",
    )
    return redirect("admin:payments_payment_change", payment.pk)
