import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from employment import services
from employment.models import Opportunity, Synonym
from employment.selectors import opportunity_search
from payments.calendar import business_date
from tests.factories import postcode_ensure


def listing(title, summary="", *, publish=True, closing_in=10, **extra):
    fields = {
        "kind": "job",
        "employer_name": "Acme Ltd",
        "sector": "Hospitality",
        "contract": "permanent",
        "hours": "full_time",
        "pay_min_pence": 1400,
        "pay_max_pence": 1400,
        "pay_period": "hour",
        "closing_date": business_date() + dt.timedelta(days=closing_in),
        "postcode": "E8 1EA",
        "address": "Mare Street",
        **extra,
    }
    postcode_ensure(fields["postcode"])
    opp = services.opportunity_create(
        actor=None, description=summary or title, title=title, summary=summary or title, **fields
    )
    if publish:
        services.opportunity_submit(opp_id=opp.pk, actor=None)
        services.opportunity_publish(opp_id=opp.pk, actor=None)
    opp.refresh_from_db()
    return opp


def titles(params):
    return [o.title for o in opportunity_search(params=params).page.object_list]


@pytest.mark.django_db
def test_stemming_phrases_minus_and_title_weighting():
    listing("Head cook", "Cooking for a nursery")
    listing("Cleaner", "Cleaning the kitchen where we cook")
    listing("Night care assistant", "Caring for residents at night")
    listing("Day care assistant", "Caring for residents by day")
    assert titles({"q": "cooking"})[0] == "Head cook"  # title outranks body text
    assert set(titles({"q": "cooking"})) == {"Head cook", "Cleaner"}
    assert titles({"q": '"care assistant" -night'}) == ["Day care assistant"]
    assert set(titles({"q": "cleaner OR nursery"})) == {"Cleaner", "Head cook"}


@pytest.mark.django_db
def test_typo_falls_back_and_suggests():
    listing("Electrician", "Wiring new homes")
    result = opportunity_search(params={"q": "electricain"})
    assert result.fuzzy
    assert result.suggestion == "electrician"
    assert [o.title for o in result.page.object_list] == ["Electrician"]


@pytest.mark.django_db
def test_moderator_synonyms_widen_the_search():
    listing("Commis cook", "Prep and cooking")
    listing("HGV driver", "Class 2 deliveries")
    assert titles({"q": "chef"}) == []
    Synonym.objects.create(term="chef", alternatives="cook, kitchen")
    Synonym.objects.create(term="lgv", alternatives="hgv, lorry")
    assert titles({"q": "chef"}) == ["Commis cook"]
    assert titles({"q": "lgv"}) == ["HGV driver"]


@pytest.mark.django_db
def test_filters_and_their_counts_agree_with_the_results():
    # The badge is computed from the pay (£15 meets the £14.80 London Living Wage), not the tick.
    listing("A", london_living_wage=True, kind="job", sector="Retail", pay_min_pence=1500, pay_max_pence=1500)
    listing("B", london_living_wage=False, kind="job", sector="Retail")
    listing("C", kind="apprenticeship", sector="Construction", pay_min_pence=1500, pay_max_pence=1500)
    everything = opportunity_search(params={})
    assert everything.counts["kind"] == {"job": 2, "apprenticeship": 1}
    assert everything.counts["living_wage"] == 2
    for kind, n in everything.counts["kind"].items():
        assert opportunity_search(params={"kind": [kind]}).count == n
    llw = opportunity_search(params={"living_wage": True})
    assert llw.count == everything.counts["living_wage"]
    assert llw.counts["sector"] == {"Retail": 1, "Construction": 1}
    assert opportunity_search(params={"min_pay": "25000"}).count == 3  # £14/hour is about £27,300 a year
    assert opportunity_search(params={"min_pay": "30000"}).count == 0


@pytest.mark.django_db
def test_expired_draft_and_rejected_listings_never_appear_in_search_or_feeds(client):
    live = listing("Live baker")
    closes_today = listing("Baker closing today", closing_in=0)
    expired = listing("Expired baker", closing_in=-1)
    draft = listing("Draft baker", publish=False)
    rejected = listing("Rejected baker", publish=False)
    services.opportunity_submit(opp_id=rejected.pk, actor=None)
    services.opportunity_reject(opp_id=rejected.pk, reason="Pay below minimum wage", actor=None)
    found = set(titles({"q": "baker"}))
    assert found == {"Live baker", "Baker closing today"}
    rss = client.get(reverse("employment:feed_rss")).content.decode()
    feed = client.get(reverse("employment:feed_json")).json()
    feed_titles = {i["title"] for i in feed["items"]}
    assert feed_titles == {"Live baker", "Baker closing today"}
    for opp in (expired, draft, rejected):
        assert opp.title not in rss
    assert live.title in rss
    assert closes_today.title in rss


@pytest.mark.django_db
def test_expiry_task_closes_at_the_end_of_the_closing_date(client):
    opp = listing("Porter", closing_in=0)
    assert services.opportunities_expire(today=business_date()) == 0
    assert services.opportunities_expire(today=business_date() + dt.timedelta(days=1)) == 1
    opp.refresh_from_db()
    assert opp.status == Opportunity.Status.CLOSED
    page = client.get(reverse("employment:detail", args=[opp.pk])).content.decode()
    assert "This opportunity closed" in page
    assert "application/ld+json" not in page


@pytest.mark.django_db
def test_live_listing_carries_job_posting_structured_data(client):
    opp = listing("Sous chef", "Lead a kitchen team", pay_min_pence=1500, pay_max_pence=1700)
    html = client.get(reverse("employment:detail", args=[opp.pk])).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "JobPosting"
    for required in ("title", "description", "datePosted", "hiringOrganization", "jobLocation"):
        assert data[required]
    assert data["baseSalary"]["value"]["minValue"] == 15.0
    assert data["validThrough"].startswith(opp.closing_date.isoformat())


@pytest.mark.django_db
def test_xss_in_listing_text_is_neutralised(client):
    payload = (
        '<script>alert(1)</script><img src=x onerror=alert(2)>**bold** <a href="javascript:alert(3)">x</a>'
    )
    opp = listing("Safe listing </script><script>alert(4)</script>", payload)
    assert "<script" not in opp.description_html
    assert "onerror" not in opp.description_html
    assert "javascript:" not in opp.description_html
    assert "<strong>bold</strong>" in opp.description_html
    html = client.get(reverse("employment:detail", args=[opp.pk])).content.decode()
    assert "<script>alert" not in html
    results = client.get(reverse("employment:search"), {"q": "listing"}).content.decode()
    assert "<script>alert" not in results


@pytest.mark.django_db
def test_moderation_transitions_and_rejection_email(mailbox, django_capture_on_commit_callbacks, resident):
    from hackney_portal.core.exceptions import ApplicationError

    opp = listing("Barista", publish=False)
    opp.employer = resident
    opp.save(update_fields=["employer"])
    with pytest.raises(ApplicationError):
        services.opportunity_publish(opp_id=opp.pk, actor=None)  # drafts go through review first
    services.opportunity_submit(opp_id=opp.pk, actor=resident)
    with pytest.raises(ApplicationError):
        services.opportunity_reject(opp_id=opp.pk, reason=" ", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_reject(opp_id=opp.pk, reason="Add the pay", actor=None)
    assert "Add the pay" in mailbox[0].body


@pytest.mark.django_db
def test_search_page_works_without_javascript_and_keeps_the_query_in_the_url(client):
    for i in range(25):
        listing(f"Chef {i}")
    response = client.get(reverse("employment:search"), {"q": "chef", "kind": "job", "page": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "25 results" in html
    assert "Page 2 of 2" in html
    assert 'href="?q=chef&amp;kind=job&amp;page=1"' in html


@pytest.fixture
def postcodes(db):
    from django.core.management import call_command

    call_command("load_postcodes", verbosity=0)


@pytest.mark.django_db
def test_onspd_loader_skips_terminated_and_is_repeatable(postcodes):
    from django.core.management import call_command

    from employment.models import Postcode

    count = Postcode.objects.count()
    assert Postcode.objects.filter(postcode="E8 1EA").exists()
    call_command("load_postcodes", verbosity=0)
    assert Postcode.objects.count() == count


@pytest.mark.django_db
def test_distance_filter_and_sort(postcodes):
    listing("Dalston chef", postcode="E8 2LX")  # about 0.85 miles from E8 1EA
    listing("Hackney Wick chef", postcode="E9 5EN")  # about 1.35 miles
    listing("Walthamstow chef", postcode="E17 4PP")  # about 3.1 miles
    # A listing that is not on the map (from before postcodes were checked) is never in a distance search.
    Opportunity.objects.filter(pk=listing("Nowhere chef").pk).update(latitude=None, longitude=None)
    near = opportunity_search(params={"q": "chef", "origin": (51.5451, -0.0553), "distance": "1"})
    assert [o.title for o in near.page.object_list] == ["Dalston chef"]
    two = opportunity_search(params={"q": "chef", "origin": (51.5451, -0.0553), "distance": "2"})
    assert {o.title for o in two.page.object_list} == {"Dalston chef", "Hackney Wick chef"}
    by_distance = opportunity_search(params={"q": "chef", "origin": (51.5451, -0.0553), "sort": "distance"})
    assert [o.title for o in by_distance.page.object_list] == [
        "Dalston chef",
        "Hackney Wick chef",
        "Walthamstow chef",
    ]
    assert 0.8 < by_distance.page.object_list[0].distance_miles < 1.1


@pytest.mark.django_db
def test_unknown_postcode_gets_a_clear_message_and_the_search_still_runs(client, postcodes):
    listing("Chef")
    html = client.get(
        reverse("employment:search"), {"q": "chef", "postcode": "ZZ9 9ZZ", "distance": "2"}
    ).content
    html = html.decode()
    assert "We do not recognise that postcode" in html
    assert "There is a problem" in html
    assert "1 result" in html
