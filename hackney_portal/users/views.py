"""Account settings: one page in the GOV.UK summary-list pattern, linking to allauth's own pages (email
addresses, password, two-factor) and to each service's settings, plus name, sign out everywhere and close."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hackney_portal.core.exceptions import ApplicationError, add_application_error
from hackney_portal.core.ratelimit import rate_limit_record, rate_limit_wait, wait_message
from hackney_portal.core.resident import account_settings_rows

from . import services


class NameForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter your full name",
            "max_length": "Your name must be 200 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        help_text="So we know it is you",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args, user, wait: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.wait = wait

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.wait:
            # Too many wrong tries: no password, right or wrong, is checked until the wait is over.
            raise forms.ValidationError(wait_message(self.wait))
        if not self.user.check_password(password):
            raise forms.ValidationError("Your password is not right. Check it and try again.")
        return password


@never_cache
@login_required
def account_settings(request):
    user = request.user
    authenticators = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return render(
        request,
        "users/settings.html",
        {
            "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
            "totp": Authenticator.Type.TOTP in authenticators,
            "recovery_codes": Authenticator.Type.RECOVERY_CODES in authenticators,
            "service_rows": account_settings_rows(user=user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def name_change(request):
    form = NameForm(request.POST or None, initial={"name": request.user.name})
    if request.method == "POST" and form.is_valid():
        services.user_name_set(user=request.user, name=form.cleaned_data["name"], actor=request.user)
        messages.success(request, "Your name has been changed.")
        return redirect("users:settings")
    return render(request, "users/name.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sign_out_everywhere(request):
    if request.method == "POST":
        services.user_sessions_end_all(user=request.user, actor=request.user)
        logout(request)
        messages.success(request, "You have been signed out on every device.")
        return redirect("account_login")
    return render(request, "users/sign_out_everywhere.html")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def close_account(request):
    # The password check is a password oracle for anyone holding the session: wrong tries are limited.
    limit = {"user": str(request.user.pk)}
    wait = rate_limit_wait(action="account_close", values=limit, record=False) if request.POST else 0
    form = CloseAccountForm(request.POST or None, user=request.user, wait=wait)
    if request.method == "POST" and not form.is_valid() and "password" in form.errors:
        if wait:
            return render(request, "users/close.html", {"form": form}, status=429)
        if request.POST.get("password"):
            rate_limit_record(action="account_close", values=limit)
    elif request.method == "POST" and form.is_valid():
        try:
            services.user_account_close(user=request.user, actor=request.user)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            logout(request)
            return render(request, "users/closed.html")
    return render(request, "users/close.html", {"form": form})
