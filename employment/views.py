import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hackney_portal.core.calendar import business_date
from hackney_portal.core.exceptions import ApplicationError, add_application_error
from hackney_portal.core.hostile import xml_safe
from hackney_portal.core.ratelimit import client_ip, rate_limit_wait, wait_message
from hackney_portal.frontend.formatting import long_date

from . import selectors, services
from .forms import AlertForm, ApplyForm, SearchForm
from .models import Opportunity
from .structured_data import structured_data


def search(request):
    sectors = selectors.live_sectors()
    form = SearchForm(request.GET or None, sectors=sectors)
    # A bad postcode is reported, and the rest of the search still runs.
    form.is_valid()
    params = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    try:
        page_number = int(request.GET.get("page", 1))
    except ValueError:
        page_number = 1
    result = selectors.opportunity_search(params=params, page_number=page_number)
    form.show_counts(result.counts)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "employment/search.html",
        {
            "form": form,
            "result": result,
            "query_string": query.urlencode(),
            "q": params.get("q", ""),
        },
    )


def detail(request, pk: int):
    opp = selectors.opportunity_for_page(pk=pk)
    closed = opp.status == Opportunity.Status.CLOSED or opp.closing_date < business_date()
    data = None
    if not closed:
        # A data block, not a script; escaped so listing text can never close the element.
        raw = json.dumps(structured_data(opp, f"{settings.SITE_URL.rstrip('/')}{opp_url(opp)}"))
        data = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return render(
        request,
        "employment/detail.html",
        {
            "opp": opp,
            "closed": closed,
            "pay": selectors.pay_text(opp),
            "json_ld": data,
        },
    )


def opp_url(opp: Opportunity) -> str:
    return reverse("employment:detail", args=[opp.pk])


class XmlSafeRssFeed(Rss201rev2Feed):
    """RSS with only characters XML 1.0 allows: a control character in a listing made the feed a 500."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})


def _xml_safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_xml_safe(v) for v in value)
    return value


FEED_SIZE = 100


def _feed(request):
    """The feed's listings: the same search as the page (words and filters from the address), newest
    first. Links use the site's configured address (SITE_URL), never the Sites table or the Host header."""
    form = SearchForm(request.GET or None, sectors=selectors.live_sectors())
    form.is_valid()
    params = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    params["sort"] = "newest"
    items = list(selectors.opportunity_search(params=params, page_size=FEED_SIZE).page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode()
    site = settings.SITE_URL.rstrip("/")
    return {
        "items": items,
        "site": site,
        "home": f"{site}{reverse('employment:search')}" + (f"?{query}" if query else ""),
        "self": f"{site}{request.path}" + (f"?{query}" if query else ""),
        "title": f"{settings.COUNCIL['name']}: jobs, apprenticeships and training"
        + (f" matching “{params['q']}”" if params.get("q") else ""),
    }


def _feed_text(o: Opportunity) -> str:
    return f"{o.summary} Pay: {selectors.pay_text(o)}. Closes {long_date(o.closing_date)}."


def feed_rss(request):
    from django.http import HttpResponse

    f = _feed(request)
    feed = XmlSafeRssFeed(
        title=f["title"],
        link=f["home"],
        description="Live opportunities, newest first",
        feed_url=f["self"],
        language="en-gb",
    )
    for o in f["items"]:
        feed.add_item(
            title=f"{o.title}, {o.employer_name}",
            link=f"{f['site']}{opp_url(o)}",
            unique_id=f"{f['site']}{opp_url(o)}",
            description=_feed_text(o),
            pubdate=o.published_at,
            categories=[o.get_kind_display(), o.sector],
        )
    response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def feed_json(request):
    f = _feed(request)
    return JsonResponse(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f["title"],
            "home_page_url": f["home"],
            "feed_url": f["self"],
            "language": "en-GB",
            "items": [
                {
                    "id": f"{f['site']}{opp_url(o)}",
                    "url": f"{f['site']}{opp_url(o)}",
                    "title": o.title,
                    "content_text": _feed_text(o),
                    "date_published": o.published_at.isoformat() if o.published_at else None,
                    "_hackney_works": {
                        "kind": o.kind,
                        "employer": o.employer_name,
                        "closing_date": o.closing_date.isoformat(),
                        "pay": selectors.pay_text(o),
                    },
                }
                for o in f["items"]
            ],
        },
        content_type="application/feed+json",
        json_dumps_params={"ensure_ascii": False},
    )


def apply(request, pk: int):
    opp = selectors.opportunity_for_page(pk=pk)
    signed_in = request.user.is_authenticated
    form = ApplyForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        # Signed in: name and email filled in from the account.
        initial={"name": request.user.name, "email": request.user.email} if signed_in else None,
    )
    if request.method == "POST" and form.is_valid():
        wait = rate_limit_wait(
            action="employment_application",
            values={"client": client_ip(request), "email": form.cleaned_data.get("email")},
        )
        if wait:
            form.add_error(None, wait_message(wait))
            return render(request, "employment/apply.html", {"opp": opp, "form": form}, status=429)
        try:
            application = services.application_submit(opp_id=opp.pk, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            request.session["employment_application"] = application.pk
            return redirect("employment:applied", pk=opp.pk)
    return render(request, "employment/apply.html", {"opp": opp, "form": form})


def applied(request, pk: int):
    from .models import Application

    application = (
        Application.objects.filter(pk=request.session.get("employment_application"), opportunity_id=pk)
        .select_related("opportunity")
        .first()
    )
    if application is None:
        raise Http404
    return render(request, "employment/applied.html", {"application": application})


def alert_create(request):
    query = request.GET.urlencode() if request.method == "GET" else request.POST.get("query", "")
    form = AlertForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        wait = rate_limit_wait(
            action="employment_alert",
            values={"client": client_ip(request), "email": form.cleaned_data.get("email")},
        )
        if wait:
            form.add_error(None, wait_message(wait))
            return render(request, "employment/alert_create.html", {"form": form, "query": query}, status=429)
        services.saved_search_create(query=query, actor=request.user, **form.cleaned_data)
        return render(request, "employment/alert_check_email.html", {"email": form.cleaned_data["email"]})
    return render(request, "employment/alert_create.html", {"form": form, "query": query})


def alert_confirm(request, token: str):
    search = services.saved_search_confirm(token=token)
    if search is None:
        raise Http404
    return render(
        request,
        "employment/alert_done.html",
        {"search": search, "description": selectors.search_describe(search.query)},
    )


@csrf_exempt  # RFC 8058: mail clients POST `List-Unsubscribe=One-Click` with no token; the URL is signed
def alert_unsubscribe(request, token: str):
    """GET asks (link checkers and previews fetch links, and must not unsubscribe anyone); POST
    unsubscribes, from our button or from a mail client's one-click unsubscribe."""
    search = services.saved_search_for_unsubscribe(token=token)
    if search is None:
        raise Http404
    if request.method == "POST":
        search = services.saved_search_unsubscribe(search_id=search.pk, actor=request.user)
    elif request.method != "GET":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "employment/alert_unsubscribe.html"
        if search.unsubscribed_at is None
        else "employment/alert_done.html",
        {"search": search, "description": selectors.search_describe(search.query)},
    )


@login_required
@require_POST
def save_listing(request, pk: int):
    opp = selectors.opportunity_for_page(pk=pk)
    services.listing_save(user=request.user, opp_id=opp.pk, saved=request.POST.get("saved") == "1")
    return redirect("employment:detail", pk=opp.pk)


@login_required
def saved_listings(request):
    from .models import SavedListing

    saved = (
        SavedListing.objects.filter(user=request.user).select_related("opportunity").order_by("-created_at")
    )
    return render(request, "employment/saved.html", {"saved": saved})


@login_required
def my_applications(request):
    return render(
        request,
        "employment/my_applications.html",
        {"applications": selectors.applications_for_user(user=request.user)},
    )
