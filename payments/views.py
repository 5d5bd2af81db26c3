import csv
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hackney_portal.core.exceptions import ApplicationError, add_application_error
from hackney_portal.core.ratelimit import client_ip

from . import selectors, services
from . import stripe_gateway as gateway
from .calendar import business_date
from .forms import AmountForm, FindAccountForm, LinkCodeForm, RemindersForm, StatementPeriodForm
from .models import Payment
from .statement import statement_csv_rows, statement_pdf


def _remember(request, key: str, value: int) -> None:
    items = [v for v in request.session.get(key, []) if v != value][-19:]
    request.session[key] = [*items, value]


@never_cache
def start(request):
    form = FindAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_find(
                reference=form.cleaned_data["reference"],
                postcode=form.cleaned_data["postcode"],
                client_key=client_ip(request),
                actor=request.user,
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            _remember(request, selectors.SESSION_FOUND, account.pk)
            if selectors.account_is_linked(user=request.user, account=account):
                return redirect("payments:account", pk=account.pk)
            return redirect("payments:found", pk=account.pk)
    linked = selectors.accounts_linked(user=request.user)
    return render(request, "payments/start.html", {"form": form, "linked": linked})


@never_cache
def found(request, pk: int):
    account = selectors.account_for_payment(request=request, pk=pk)
    return render(
        request,
        "payments/found.html",
        {
            "account": account,
            "masked_name": selectors.mask_name(account.tenant_name),
            "summary": selectors.account_summary(account=account),
            "linked": account.viewer_linked,
        },
    )


@never_cache
@login_required
def link(request, pk: int):
    """Link a found account to this login with a one-time code sent to the contact on the tenancy record (or
    posted to the property). Knowing the account number and postcode is not enough."""
    account = selectors.account_for_payment(request=request, pk=pk)
    if account.viewer_linked:
        return redirect("payments:account", pk=account.pk)
    form = LinkCodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    status, send_errors = 200, []
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            services.account_link_code_send(
                user=request.user, account=account, client_key=client_ip(request), actor=request.user
            )
        except ApplicationError as exc:
            send_errors = [("", exc.message)]
            status = 429 if exc.code == "rate_limited" else 200
        else:
            messages.success(request, "We have sent a code to the email address on your tenancy record.")
            return redirect("payments:link", pk=account.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            services.account_link_with_code(
                user=request.user,
                account=account,
                code=form.cleaned_data["code"],
                client_key=client_ip(request),
                actor=request.user,
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
            status = 429 if exc.code == "rate_limited" else 200
        else:
            messages.success(request, f"Rent account {account.reference} is now linked to your account.")
            return redirect("payments:account", pk=account.pk)
    return render(
        request,
        "payments/link.html",
        {"account": account, "form": form, "send_errors": send_errors},
        status=status,
    )


@login_required
@require_POST
def unlink(request, pk: int):
    account = selectors.account_for_statement(user=request.user, pk=pk)
    services.account_unlink(user=request.user, account=account, actor=request.user)
    messages.success(request, f"Rent account {account.reference} is no longer linked to your account.")
    return redirect("payments:start")


@never_cache
@login_required
def account(request, pk: int):
    account, summary = selectors.account_summary_for_viewer(user=request.user, pk=pk)
    return render(request, "payments/account.html", {"summary": summary, "account": account})


@never_cache
@login_required
def statement(request, pk: int):
    params = request.GET.copy()
    params.pop("format", None)
    form = StatementPeriodForm(params)
    start_date, end, months = form.period(business_date())
    account, statement = selectors.statement_for_viewer(user=request.user, pk=pk, start=start_date, end=end)
    fmt = request.GET.get("format")
    filename = f"rent-statement-{account.reference}-{start_date:%Y%m%d}-{end:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        csv.writer(response).writerows(statement_csv_rows(statement))
        return response
    if fmt == "pdf":
        pdf = statement_pdf(account=account, statement=statement, issued=business_date())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    # The downloads cover exactly the period on screen: the same query, as the form read it.
    period = {"months": months} if months else {"start": start_date, "end": end}
    download_query = urlencode(
        {"months": months}
        if months
        else {
            "months": StatementPeriodForm.DATES,
            "start_0": start_date.day,
            "start_1": start_date.month,
            "start_2": start_date.year,
            "end_0": end.day,
            "end_1": end.month,
            "end_2": end.year,
        }
    )
    return render(
        request,
        "payments/statement.html",
        {
            "account": account,
            "entries": statement["entries"],
            "statement": statement,
            "form": form,
            "months": months,
            "period": period,
            "start": start_date,
            "end": end,
            "download_query": download_query,
        },
    )


@never_cache
def pay(request, pk: int):
    account = selectors.account_for_payment(request=request, pk=pk)
    # No radio is chosen for the resident (GOV.UK: never pre-select), so a typed amount is never overridden
    # by a default they did not notice.
    initial = {"attempt_key": str(uuid.uuid4()), **selectors.amount_answers(request=request, account=account)}
    form = AmountForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        balance_pence=account.balance_pence,
        ask_email=not request.user.is_authenticated,
    )
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_start(
                account=account,
                amount_pence=form.cleaned_data["amount_pence"],
                attempt_key=form.cleaned_data["attempt_key"],
                user=request.user,
                email=form.cleaned_data.get("email") or "",
                actor=request.user,
                own_payment_ids=request.session.get(selectors.SESSION_PAYMENTS, []),
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
            if exc.code == "bad_attempt":
                # Sent again, the form starts a new attempt rather than asking for the same one.
                form.data = form.data.copy()
                form.data["attempt_key"] = str(uuid.uuid4())
        else:
            _remember(request, selectors.SESSION_PAYMENTS, payment.pk)
            return redirect("payments:card", reference=payment.reference)
    return render(
        request,
        "payments/pay.html",
        {
            "account": account,
            "form": form,
            "max_pence": settings.PAYMENTS_MAX_PENCE,
            "back_url": selectors.amount_page_back_url(request=request, account=account),
        },
    )


@never_cache
def card(request, reference: str):
    payment = selectors.payment_for_viewer(request=request, reference=reference)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        # "Cancel payment": the attempt ends and its PaymentIntent is cancelled, so nothing is taken later.
        payment = services.payment_expire(payment_id=payment.pk, actor=request.user)
        return redirect("payments:status", reference=payment.reference)
    if request.method == "POST":
        token = request.POST.get("card_token", "")
        if request.POST.get("step") == "authenticated":
            payment = services.payment_refresh(payment_id=payment.pk, actor=request.user)
        elif gateway.is_card_token(token):
            try:
                payment = services.payment_pay_by_card(
                    payment_id=payment.pk, card_token=token, actor=request.user
                )
            except ApplicationError as exc:
                payment.refresh_from_db()
                if payment.status == Payment.Status.CREATED:
                    return render(request, "payments/card.html", _card_context(payment, error=exc.message))
        else:
            return render(
                request,
                "payments/card.html",
                _card_context(payment, error="Enter your card details"),
                status=400,
            )
        if payment.status == Payment.Status.REQUIRES_ACTION:
            return redirect(reverse("payments:card", args=[payment.reference]) + "?authenticate=1")
        return redirect("payments:status", reference=payment.reference)
    if payment.status not in {Payment.Status.CREATED, Payment.Status.REQUIRES_ACTION}:
        # The back button after paying: show where the payment is, never a second card form.
        return redirect("payments:status", reference=payment.reference)
    # Empty until Stripe gives one (bandit reads the name as a password).
    client_secret = ""  # nosec B105
    if payment.status == Payment.Status.REQUIRES_ACTION and payment.provider_payment_id:
        client_secret = gateway.intent_retrieve(payment.provider_payment_id).client_secret
    return render(request, "payments/card.html", _card_context(payment, client_secret=client_secret))


def _card_context(payment: Payment, *, error: str = "", client_secret: str = "") -> dict:
    return {
        "payment": payment,
        "error": error,
        "client_secret": client_secret,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "has_errors": bool(error),
    }


@never_cache
def status(request, reference: str):
    payment = selectors.payment_for_viewer(request=request, reference=reference)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": payment.status, "pending": payment.is_pending})
    return render(request, "payments/status.html", {"payment": payment, "account": payment.account})


@never_cache
@login_required
def history(request):
    return render(
        request, "payments/history.html", {"payments": selectors.payments_for_user(user=request.user)}
    )


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify, store once, answer at once. The batch applier (woken after commit) applies a succeeded payment
    that matches its payload (no call to Stripe); a Celery task per event applies anything else."""
    try:
        _, created = services.stripe_event_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except gateway.SignatureError:
        return HttpResponseBadRequest("invalid signature")
    except (KeyError, TypeError, ValueError, RawPostDataException):
        # RawPostDataException: a multipart body, already parsed as a form, is no Stripe event.
        return HttpResponseBadRequest("malformed event")
    return JsonResponse({"received": True, "duplicate": not created})


@never_cache
@login_required
def reminders(request):
    form = RemindersForm(
        request.POST if request.method == "POST" else None,
        initial={"reminder_emails": "yes" if request.user.reminder_emails else "no"},
    )
    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["reminder_emails"] == "yes"
        services.reminders_set(user=request.user, enabled=enabled, actor=request.user)
        messages.success(request, "Reminder emails turned on." if enabled else "Reminder emails turned off.")
        return redirect("payments:reminders")
    return render(request, "payments/reminders.html", {"form": form})
