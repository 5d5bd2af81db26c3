import contextvars
import logging
import re
import time
import uuid

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string

_request: contextvars.ContextVar = contextvars.ContextVar("request", default=None)
_request_id: contextvars.ContextVar = contextvars.ContextVar("request_id", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("hackney_portal.access")


def current_request():
    return _request.get()


def current_request_id() -> str | None:
    return _request_id.get()


def request_route(request) -> str:
    """The URL pattern a request matched ("/housing-help/status/<str:token>/"), never the path itself:
    paths carry case-status, resume, password-reset and confirmation tokens, and logs are read by more
    people than may hold those links. Unmatched paths are not logged at all."""
    match = getattr(request, "resolver_match", None)
    return f"/{match.route}" if match is not None else "(no matching route)"


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed one from the proxy) for logs and audit rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token_r = _request.set(request)
        token_id = _request_id.set(request.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request_route(request),
                    "status_code": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request.reset(token_r)
            _request_id.reset(token_id)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than any form of ours accepts, before anything reads
    it: a 60 MB upload is answered at once from its headers, not streamed to disk first. (A body sent without
    a length is never read by Django's WSGI handler, and a declared length is all it reads.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PORTAL_MAX_REQUEST_BYTES
        if length <= limit:
            return self.get_response(request)
        response = HttpResponse(
            render_to_string(
                "core/413.html", {"max_upload_mb": settings.PORTAL_MAX_UPLOAD_BYTES // (1024 * 1024)}, request
            ),
            status=413,
        )
        # The answer goes out at once; what the server does with the unread rest of the body (gunicorn reads
        # and discards it to keep the connection) stores nothing. WSGI lets no application send
        # `Connection: close`, so the proxy's own body limit is what closes such connections early.
        return response


class SessionIdleTimeoutMiddleware:
    """Sign out a session left idle too long, or older than the absolute limit since sign-in.

    SESSION_COOKIE_AGE alone is not absolute: every save of the session pushes its expiry on. So the time of
    the first authenticated request is kept in the session and checked on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("_last_seen")
            started = request.session.setdefault("_signed_in_at", now)
            if now - started > settings.SESSION_COOKIE_AGE or (
                last is not None and now - last > settings.SESSION_IDLE_TIMEOUT
            ):
                logout(request)
            elif last is None or now - last > 60:
                # Writing on every request would save the session every time; once a minute is enough.
                request.session["_last_seen"] = now
        return self.get_response(request)


security_log = logging.getLogger("hackney_portal.security")


class AccessDeniedLogMiddleware:
    """Log every refusal a view makes: a 403, or a 404 raised by a view for an object that is missing or
    not the asker's (the two are answered alike so ids cannot be probed, and logged alike for the same
    reason). URLs that match no route never reach a view, so typos are not logged as attacks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied | Http404):
            return None
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        security_log.warning(
            "access refused",
            extra={
                "status_code": 403 if isinstance(exception, PermissionDenied) else 404,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "method": request.method,
                "path": request_route(request),
                "url_name": match.view_name if match else None,
            },
        )
        return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with the header built once per process rather than once per response.

    django-csp rebuilds the policy string from settings for every response: 0.16 ms, a seventh of a Stripe
    webhook request's whole time in Django. No page of ours uses a nonce or changes the policy, so a response
    that does neither gets the header built once; one that does (a `csp_nonce` read, a `csp_update` or
    similar decorator) goes through django-csp as before. Changing the setting (tests do) builds it afresh.
    """

    _per_response = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    )
    _headers: tuple[str, str] | None = None

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in self._per_response
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # as django-csp: Django's debug pages need their inline styles
        headers = ContentSecurityPolicyMiddleware._headers
        if headers is None:
            headers = ContentSecurityPolicyMiddleware._headers = (
                build_policy(),
                build_policy(report_only=True),
            )
        for header, value, setting, exempt in (
            (HEADER, headers[0], "CONTENT_SECURITY_POLICY", "_csp_exempt"),
            (HEADER_REPORT_ONLY, headers[1], "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
        ):
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                value
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@receiver(setting_changed)
def _policy_setting_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        ContentSecurityPolicyMiddleware._headers = None
