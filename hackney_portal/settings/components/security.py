"""Sessions, security headers and the Content Security Policy."""

import environ

env = environ.Env()

# SESSIONS AND SECURITY
# ------------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_TIMEOUT", default=60 * 60 * 8)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 30)
# Signed-in pages warn this many seconds before the idle timeout, with a way to stay signed in (WCAG 2.2.1).
SESSION_TIMEOUT_WARNING = env.int("SESSION_TIMEOUT_WARNING", default=5 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): scripts only from our origin and Stripe, no inline script.
# Real Stripe.js needs exactly these (Stripe's security guide): its script from js.stripe.com, calls to
# api.stripe.com, and frames from js.stripe.com (card fields) and hooks.stripe.com (3-D Secure). A
# Stripe-compatible server (localstripe in development) serves all three from its own origin.
STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")


def _origin(url: str) -> str:
    return "/".join(url.split("/")[:3])


if STRIPE_API_BASE:
    _stripe_script = [_origin(STRIPE_JS_URL)]
    _stripe_connect = sorted({_origin(STRIPE_JS_URL), _origin(STRIPE_API_BASE)})
    _stripe_frames = [_origin(STRIPE_JS_URL)]
else:
    _stripe_script = ["https://js.stripe.com"]
    _stripe_connect = ["https://api.stripe.com"]
    _stripe_frames = ["https://js.stripe.com", "https://hooks.stripe.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_stripe_script],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", *_stripe_connect],
        "frame-src": ["'self'", *_stripe_frames],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
