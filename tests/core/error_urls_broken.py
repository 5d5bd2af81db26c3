"""The error-page test URLs, with a 500 page that itself fails."""

from tests.core.error_urls import urlpatterns  # noqa: F401


def handler500(request):
    raise RuntimeError("the error page is broken too")
