"""The portal's URLs plus one slow page, for the graceful-shutdown test (DJANGO_ROOT_URLCONF)."""

import os
import time
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path


def slow(request):
    Path(os.environ["SLOW_MARKER"]).touch()  # the test stops the server once the request is in here
    time.sleep(3)
    return HttpResponse("finished")


urlpatterns = [path("slow/", slow), path("", include("hackney_portal.urls"))]
