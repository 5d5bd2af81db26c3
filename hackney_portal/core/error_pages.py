"""The portal's own error pages while DEBUG is on (`make run`), instead of Django's technical pages.

With DEBUG on, Django answers a 404 with a page listing every URL pattern of the portal, and a 500 or a bad
request with the traceback, settings and request data. Whoever can reach a development server (a
colleague on the same network, a demo projected in a meeting) would see them, and the pages a resident
would meet are never checked while developing. So the two technical views are routed to the URLconf's own
handlers (`handler404`, `handler400`, `handler500`). The traceback is still written to the terminal by
Django's `django.request` logger, as in production.

A developer who wants Django's pages back sets PORTAL_TECHNICAL_ERROR_PAGES=true.
Django calls these views only when DEBUG is on, so production is unaffected either way.
"""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.urls import get_resolver, get_urlconf
from django.views import debug

logger = logging.getLogger(__name__)
_PLAIN_ERROR = (
    "<!DOCTYPE html><html lang='en'><head><title>Sorry, there is a problem with the service</title></head>"
    "<body><h1>Sorry, there is a problem with the service</h1><p>Try again later.</p></body></html>"
)
_django_404 = debug.technical_404_response
_django_500 = debug.technical_500_response


def _technical_pages_wanted() -> bool:
    return bool(getattr(settings, "PORTAL_TECHNICAL_ERROR_PAGES", False))


def technical_404_response(request, exception):
    if _technical_pages_wanted():
        return _django_404(request, exception)
    return get_resolver(get_urlconf()).resolve_error_handler(404)(request, exception)


def technical_500_response(request, exc_type, exc_value, tb, status_code=500):
    if _technical_pages_wanted():
        return _django_500(request, exc_type, exc_value, tb, status_code=status_code)
    resolver = get_resolver(get_urlconf())
    try:
        if status_code == 400:
            # Django sends a bad request (a bad Host header, too many fields) here too while DEBUG is on.
            return resolver.resolve_error_handler(400)(request, exc_value)
        return resolver.resolve_error_handler(500)(request)
    except Exception:
        # Answer anyway, so Django still logs the original error with its traceback; the page's own failure
        # is logged too.
        logger.exception("The error page could not be shown")
        return HttpResponse(_PLAIN_ERROR, status=status_code)


def install() -> None:
    """Route Django's technical error views to ours (called once from CoreConfig.ready)."""
    debug.technical_404_response = technical_404_response
    debug.technical_500_response = technical_500_response
