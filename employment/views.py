import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed

from payments.calendar import business_date

from . import selectors
from .forms import SearchForm
from .models import Opportunity
from .structured_data import job_posting


def search(request):
    sectors = sorted(set(selectors.live().values_list("sector", flat=True)))
    form = SearchForm(request.GET or None, sectors=sectors)
    # A bad postcode is reported, and the rest of the search still runs.
    form.is_valid()
    params = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    try:
        page_number = int(request.GET.get("page", 1))
    except ValueError:
        page_number = 1
    result = selectors.opportunity_search(params=params, page_number=page_number)
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
        raw = json.dumps(job_posting(opp, request.build_absolute_uri(opp_url(opp))))
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


class LiveFeed(Feed):
    feed_type = Rss201rev2Feed
    link = "/jobs/"

    def title(self):
        return f"{settings.COUNCIL['name']}: jobs, apprenticeships and training"

    def description(self):
        return "Live opportunities, newest first"

    def items(self):
        return selectors.live().order_by("-published_at", "-id")[:100]

    def item_title(self, item):
        return f"{item.title}, {item.employer_name}"

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return opp_url(item)

    def item_pubdate(self, item):
        return item.published_at


def feed_json(request):
    items = selectors.live().order_by("-published_at", "-id")[:100]
    return JsonResponse(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"{settings.COUNCIL['name']}: jobs, apprenticeships and training",
            "home_page_url": request.build_absolute_uri("/jobs/"),
            "items": [
                {
                    "id": str(o.pk),
                    "url": request.build_absolute_uri(opp_url(o)),
                    "title": o.title,
                    "content_text": o.summary,
                    "date_published": o.published_at.isoformat() if o.published_at else None,
                    "_hackney_works": {
                        "kind": o.kind,
                        "employer": o.employer_name,
                        "closing_date": o.closing_date.isoformat(),
                        "pay": selectors.pay_text(o),
                    },
                }
                for o in items
            ],
        }
    )
