"""The portal's URLs plus a minimal view: the ceiling every page is compared against.

The ceiling view runs through the same middleware, server and settings as every page but does no work of
its own, so "page throughput / ceiling throughput" says how much of the budget the page itself spends.
"""

from django.http import HttpResponse
from django.urls import path

from hackney_portal import urls as portal_urls


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("__bench__/ceiling/", ceiling), *portal_urls.urlpatterns]
handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
