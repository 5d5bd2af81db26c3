import time

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import registry, resident


def _services() -> list[dict]:
    """The home page's list: every council service as its app config declares it (core/registry.py)."""
    return [
        {
            "label": service.label,
            "title": service.portal_title,
            "url_name": service.start_url_name,
            "description": service.portal_description,
        }
        for service in registry.services()
        if service.start_url_name
    ]


@never_cache
def home(request):
    """The public start page, or for a signed-in resident "Your Hackney": what needs doing first, then a
    summary of each service they use (and nothing of those they do not)."""
    if not request.user.is_authenticated:
        return render(request, "core/home.html", {"services": _services()})
    summaries = resident.resident_summaries(user=request.user)
    resident.resident_home_record(actor=request.user, summaries=summaries)
    used = {resolve(summary.url).namespace for summary in summaries}
    return render(
        request,
        "core/your_home.html",
        {
            "summaries": summaries,
            "tasks": resident.resident_tasks(summaries),
            "other_services": [s for s in _services() if s["url_name"].split(":")[0] not in used],
        },
    )


def accessibility(request):
    return render(request, "core/accessibility.html")


def privacy(request):
    return render(
        request,
        "core/privacy.html",
        {"privacy": settings.PRIVACY, "housing_retention_years": settings.HOMELESSNESS_RETENTION_YEARS},
    )


def cookies(request):
    return render(request, "core/cookies.html")


def staff_only(request):
    return render(request, "core/staff_only.html", status=403)


def error_404(request, exception=None):
    return render(request, "core/404.html", status=404)


def error_403(request, exception=None):
    return render(request, "core/403.html", status=403)


def error_500(request):
    return render(request, "core/500.html", status=500)


def error_400(request, exception=None):
    return render(request, "core/400.html", status=400)


def brand_css(request):
    """The council's colours as GOV.UK Frontend custom properties: rebranding needs settings, not a build."""
    from django.http import HttpResponse

    from .branding import brand_stylesheet

    response = HttpResponse(brand_stylesheet(settings.COUNCIL), content_type="text/css")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def favicon(request):
    """A square in the council's colour with its initial, so no council's logo is baked into the code."""
    from django.http import HttpResponse
    from django.utils.html import escape

    from .branding import _checked

    colour = _checked(settings.COUNCIL.get("brand_colour"), "#1d70b8")
    initial = escape((settings.COUNCIL.get("short_name") or "C")[:1].upper())
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" fill="{colour}"/>'
        f'<text x="16" y="23" font-family="Arial" font-size="20" font-weight="bold" fill="#fff" '
        f'text-anchor="middle">{initial}</text></svg>'
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_POST
def session_extend(request):
    """ "Stay signed in" from the timeout warning: counts as activity, so the idle timeout starts again.
    A session that has already ended (SessionIdleTimeoutMiddleware signed it out) is not brought back."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session["_last_seen"] = int(time.time())
    return JsonResponse({"signed_in": True, "idle_timeout": settings.SESSION_IDLE_TIMEOUT})
