"""The portal's URLs plus a minimal view: the ceiling every page is compared against.

The ceiling view runs through the same middleware, server and settings as every page but does no work of
its own, so "page throughput / ceiling throughput" says how much of the budget the page itself spends.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from hackney_portal import urls as portal_urls


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


# The layout alone: the portal's base template (header, footer, the signed-in session timeout dialog) around a
# heading and nothing else, as whoever asks. A resident's page is judged against this floor as the same
# resident (issue 18): what the page spends beyond it is its own data and markup.
_LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1 class="govuk-heading-l">Floor</h1>{% endblock %}'
)


def layout(request):
    return HttpResponse(_LAYOUT.render({}, request))


urlpatterns = [
    path("__bench__/ceiling/", ceiling),
    path("__bench__/layout/", layout),
    *portal_urls.urlpatterns,
]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
