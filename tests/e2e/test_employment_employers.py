"""An employer in Chromium: from the jobs page to "Advertise an opportunity", an event with its start,
their own listings, a change to a live listing that waits for review, and an application worked to
interview with feedback the applicant is emailed."""

import datetime as dt
import re

from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from employment import services
from employment.models import Opportunity
from hackney_portal.core.calendar import business_date
from hackney_portal.users import roles
from tests.conftest import make_user
from tests.e2e.conftest import assert_accessible
from tests.employment.conftest import pdf_bytes


def test_an_employer_advertises_changes_and_works_applications(page, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    call_command("load_postcodes", verbosity=0)
    boss = make_user(
        "boss@example.org", password="boss-pass-phrase-1", groups=[roles.EMPLOYERS], name="Dalston Kitchen"
    )
    page.goto("/jobs/")
    page.get_by_role("link", name="Advertise an opportunity").click()
    page.fill("input[name=login]", "boss@example.org")
    page.fill("input[name=password]", "boss-pass-phrase-1")
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url("**/jobs/employers/new/")

    # An event needs its start: the employer is told, then gives it.
    start = business_date() + dt.timedelta(days=40)
    closing = business_date() + dt.timedelta(days=30)
    page.get_by_label("Event or workshop").check()
    page.fill("#id_title", "Hospitality jobs fair")
    page.fill("#id_summary", "Meet kitchens that are hiring")
    page.fill("#id_description", "Bring your CV.")
    page.fill("#id_sector", "Hospitality")
    page.select_option("#id_contract", "none")
    page.select_option("#id_pay_period", "none")
    page.fill("#id_postcode", "E8 1EA")
    page.fill("#id_closing_date_0", str(closing.day))
    page.fill("#id_closing_date_1", str(closing.month))
    page.fill("#id_closing_date_2", str(closing.year))
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("body")).to_contain_text("Enter the date the event starts")
    assert_accessible(page)
    page.fill("#id_start_date_0", str(start.day))
    page.fill("#id_start_date_1", str(start.month))
    page.fill("#id_start_date_2", str(start.year))
    page.fill("#id_start_time", "6:30pm")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector("text=Listing submitted")
    fair = Opportunity.objects.get(title="Hospitality jobs fair")
    services.opportunity_publish(opp_id=fair.pk, actor=None)
    assert any("is live" in m.subject for m in mail.outbox)

    page.goto("/jobs/")
    assert (
        f"Starts {start:%A} {start.day} {start:%B %Y} at 6:30pm"
        in page.locator(".app-search-result").inner_text()
    )

    # An application comes in for it.
    application = services.application_submit(
        opp_id=fair.pk,
        name="Sam Jobseeker",
        email="sam@example.org",
        phone="",
        cv=SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf"),
        statement="I want to work in a kitchen",
        lives_in_borough=True,
        actor=None,
    )

    page.goto("/jobs/employers/new/")
    page.get_by_role("link", name="Your listings").click()
    expect(page.locator("body")).to_contain_text("Live")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Change")).click()
    assert page.input_value("#id_start_time") == "18:30"
    page.fill("#id_title", "Hospitality and retail jobs fair")
    page.get_by_role("button", name="Submit changes for review").click()
    page.wait_for_selector("text=Changes submitted")
    assert "stays live as it was" in page.content()
    page.goto(f"/jobs/{fair.pk}/")
    assert page.locator("h1").inner_text() == "Hospitality jobs fair"  # the live version stays

    page.goto("/jobs/employers/")
    assert "Your changes are waiting for review" in page.content()
    page.get_by_role("link", name=re.compile("^1 application")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Sam Jobseeker").click()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the CV")).click()
    assert download.value.suggested_filename == f"{application.reference}.pdf"
    page.get_by_label("Invited to interview").check()
    page.fill("#id_feedback", "Come to the fair at 6pm and ask for Jo")
    page.get_by_role("button", name="Save and tell the applicant").click()
    page.wait_for_url(f"**/jobs/employers/{fair.pk}/applications/")
    assert "Invited to interview" in page.content()
    email = next(m for m in mail.outbox if m.to == ["sam@example.org"] and "interview" in m.subject.lower())
    assert "ask for Jo" in email.body
    assert boss.pk == Opportunity.objects.get(pk=fair.pk).employer_id
    assert page.console_errors == []
