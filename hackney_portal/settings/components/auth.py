"""Sign-in: Django authentication, django-allauth and its two-factor pages."""

import environ

from .council import COUNCIL

env = environ.Env()

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_USER_MODEL = "users.User"
LOGIN_REDIRECT_URL = "core:home"
LOGIN_URL = "account_login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "hackney_portal.users.adapters.AccountAdapter"
# Signing up with a registered email does the same work (a password hash) as a new sign-up: equal timing.
ACCOUNT_FORMS = {
    "signup": "hackney_portal.users.forms.SignupForm",
    "login": "hackney_portal.users.forms.LoginForm",
    "reset_password": "hackney_portal.users.forms.ResetPasswordForm",  # nosec B105
    "reset_password_from_key": "hackney_portal.users.forms.ResetPasswordKeyForm",  # nosec B105
    "change_password": "hackney_portal.users.forms.ChangePasswordForm",  # nosec B105
    "add_email": "hackney_portal.users.forms.AddEmailForm",
    "reauthenticate": "hackney_portal.users.forms.AccountReauthenticateForm",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = COUNCIL["service_name"]
# One 30-second step of clock drift either way, as RFC 6238 s5.2 advises: a code typed as its window ends
# (or on a phone whose clock is a little out) still works. Each step is accepted once (see the forms).
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "hackney_portal.users.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "hackney_portal.users.forms.TwoFactorAuthenticateForm",
    "reauthenticate": "hackney_portal.users.forms.TwoFactorReauthenticateForm",
}
