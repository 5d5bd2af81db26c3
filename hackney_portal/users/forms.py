from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # Signing up with a registered email creates nothing and only sends an "you already have an
            # account" email. Without the password hash a new account costs, that answers several times
            # faster than a new sign-up, telling a stranger which emails are registered. Same work, same time.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
