"""The portal's URLs plus one view that fails, for the error-page tests."""

from django.urls import path

from hackney_portal.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _boom(request):
    raise RuntimeError("deliberate failure with secret detail 7f3a")


urlpatterns = [*urlpatterns, path("__boom__/", _boom)]
