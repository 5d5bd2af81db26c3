"""Finding work in Chromium: search, filter by distance and pay, apply with a CV, and get an alert."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from employment import services
from employment.models import Application
from payments.calendar import business_date
from tests.e2e.conftest import assert_accessible
from tests.employment.conftest import pdf_bytes


def _listing(title, postcode="E8 2LX", **extra):
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
        "postcode": postcode,
        "address": "Kingsland Road",
        "summary": f"{title}: cooking for the community",
        **extra,
    }
    opp = services.opportunity_create(
        actor=None, description=fields["summary"] + "\n\n**Apply today**", title=title, **fields
    )
    services.opportunity_submit(opp_id=opp.pk, actor=None)
    return services.opportunity_publish(opp_id=opp.pk, actor=None)


@pytest.fixture
def jobs(transactional_db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    call_command("load_postcodes", verbosity=0)
    # The Living Wage badge is computed: these pay at least £14.80 an hour; the pastry chef starts at £14.50.
    _listing(
        "Chef de partie", london_living_wage=True, pay_min_pence=1500
    )  # Dalston, under a mile from E8 1EA
    _listing("Pastry chef", london_living_wage=False)
    _listing(
        "Chef in Walthamstow", postcode="E17 4PP", london_living_wage=True, pay_min_pence=1500
    )  # ~3 miles
    _listing("Bus driver", sector="Transport", summary="Driving routes")


def test_search_filter_apply_with_a_cv_and_get_an_alert(page, jobs, tmp_path):
    page.goto("/jobs/")
    assert_accessible(page)
    page.fill("#id_q", "chef")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("body")).to_contain_text("3 results")
    assert page.locator("mark").first.inner_text().lower().startswith("chef")
    assert_accessible(page)
    page.fill("#id_postcode", "E8 1EA")
    page.select_option("#id_distance", "2")
    page.get_by_label(re.compile(r"^London Living Wage or above")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("body")).to_contain_text("1 result")
    assert "living_wage=on" in page.url
    assert "distance=2" in page.url
    assert "miles away" in page.content()
    assert_accessible(page)
    search_url = page.url

    page.get_by_role("link", name="Chef de partie").click()
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Apply now").click() if page.get_by_role(
        "button", name="Apply now"
    ).count() else page.get_by_role("link", name="Apply now").click()
    assert_accessible(page)
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(pdf_bytes())
    page.fill("#id_name", "Sam Jobseeker")
    page.fill("#id_email", "sam@example.org")
    page.set_input_files("#id_cv", str(cv))
    page.fill("#id_statement", "Ten years in busy kitchens.")
    page.get_by_label("I live in the borough").check()
    page.get_by_role("button", name="Send application").click()
    page.wait_for_selector("text=Application sent")
    assert_accessible(page)
    reference = Application.objects.get().reference
    assert reference in page.content()
    assert any(reference in m.body for m in mail.outbox)

    page.goto(search_url)
    page.get_by_role("link", name="Get email alerts for this search").click()
    assert_accessible(page)
    page.fill("#id_email", "sam@example.org")
    page.get_by_label("Daily").check()
    page.get_by_role("button", name="Save search").click()
    assert "Check your email" in page.content()
    confirm = next(m for m in mail.outbox if "Confirm" in m.subject).body
    page.goto(re.search(r"https?://\S+(/jobs/alerts/confirm/\S+/)", confirm).group(1))
    assert "Your job alert is on" in page.content()
    assert_accessible(page)

    # A new matching listing is published; the beat task runs a day later and sends the alert.
    _listing("Head chef", london_living_wage=True, pay_min_pence=1500)
    from django.utils import timezone

    services.alerts_send(now=timezone.now() + dt.timedelta(days=1))
    alert = next(m for m in mail.outbox if "new opportunit" in m.subject)
    assert "Head chef" in alert.body
    assert "Chef de partie" not in alert.body  # already there when the alert was set up
    assert page.console_errors == []


def test_employer_form_errors_and_saved_listings_are_accessible(page, jobs):
    from hackney_portal.users import roles
    from tests.conftest import make_user

    make_user("boss@example.org", password="boss-pass-phrase-1", groups=[roles.EMPLOYERS])
    page.goto("/accounts/login/?next=/jobs/employers/new/")
    page.fill("input[name=login]", "boss@example.org")
    page.fill("input[name=password]", "boss-pass-phrase-1")
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url("**/jobs/employers/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    assert "There is a problem" in page.content()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.goto("/jobs/?q=chef")
    page.get_by_role("link", name="Pastry chef").click()
    page.get_by_role("button", name="Save this opportunity").click()
    page.goto("/jobs/saved/")
    assert "Pastry chef" in page.content()
    assert_accessible(page)
