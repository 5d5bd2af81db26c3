"""Searching for work in Chromium, with axe on every page. (Applying and alerts come with the next step.)"""

import datetime as dt

from employment import services
from payments.calendar import business_date
from tests.e2e.conftest import assert_accessible


def _listing(title, **extra):
    fields = {
        "kind": "job",
        "employer_name": "Dalston Kitchen",
        "sector": "Hospitality",
        "contract": "permanent",
        "hours": "full_time",
        "pay_min_pence": 1450,
        "pay_max_pence": 1600,
        "pay_period": "hour",
        "closing_date": business_date() + dt.timedelta(days=10),
        "postcode": "E8 2LX",
        "address": "Kingsland Road",
        "summary": f"{title}: cooking for the community",
        **extra,
    }
    opp = services.opportunity_create(
        actor=None, description=fields["summary"] + "\n\n**Apply today**", title=title, **fields
    )
    services.opportunity_submit(opp_id=opp.pk, actor=None)
    return services.opportunity_publish(opp_id=opp.pk, actor=None)


def test_search_chef_filter_living_wage_and_open_a_listing(page):
    _listing("Chef de partie", london_living_wage=True)
    _listing("Pastry chef", london_living_wage=False)
    _listing("Bus driver", sector="Transport", summary="Driving routes")
    page.goto("/jobs/")
    assert_accessible(page)
    page.fill("#id_q", "chef")
    page.get_by_role("button", name="Search").click()
    assert "2 results" in page.content()
    assert page.locator("mark").first.inner_text().lower().startswith("chef")
    assert_accessible(page)
    page.get_by_label("London Living Wage or above (1)").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "1 result" in page.content()
    assert "living_wage=on" in page.url  # the whole search is in the URL, so it can be shared
    page.get_by_role("link", name="Chef de partie").click()
    assert page.locator("h1").inner_text() == "Chef de partie"
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert_accessible(page)
    assert page.console_errors == []
