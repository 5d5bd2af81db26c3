import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from employment.models import Application, Opportunity
from employment.wages import SEED_RATES, wage_check
from hackney_portal.users import roles
from payments.calendar import business_date
from tests.conftest import make_user, staff_login
from tests.employment.test_search import listing


def _listing_post(**over):
    closing = business_date() + dt.timedelta(days=20)
    data = {
        "kind": "job",
        "title": "Line cook",
        "summary": "Cook on the line",
        "description": "**Great** job",
        "sector": "Hospitality",
        "contract": "permanent",
        "hours": "full_time",
        "pay_period": "hour",
        "pay_min": "9.00",
        "pay_max": "10.00",
        "age_band": "21_plus",
        "postcode": "E8 1EA",
        "apply_url": "",
        "closing_date_0": closing.day,
        "closing_date_1": closing.month,
        "closing_date_2": closing.year,
    }
    return {**data, **over}


def below_minimum_wage(*, pay_min_pence, pay_period, age_band, on, hours_per_week=None, kind="job"):
    return wage_check(
        kind=kind,
        pay_min_pence=pay_min_pence,
        pay_max_pence=pay_min_pence,
        pay_period=pay_period,
        hours_per_week=hours_per_week,
        age_band=age_band,
        claims_london_living_wage=False,
        on=on,
        rates=SEED_RATES,
    ).below_minimum


def test_minimum_wage_by_age_band_and_date():
    april = dt.date(2026, 5, 1)
    assert below_minimum_wage(pay_min_pence=1200, pay_period="hour", age_band="21_plus", on=april)
    assert not below_minimum_wage(pay_min_pence=1200, pay_period="hour", age_band="18_20", on=april)
    assert not below_minimum_wage(
        pay_min_pence=2_500_000, pay_period="year", age_band="21_plus", on=april, hours_per_week=37.5
    )
    assert not below_minimum_wage(
        pay_min_pence=0, pay_period="none", age_band="21_plus", on=april, kind="volunteering"
    )


@pytest.mark.django_db
def test_employer_submits_a_listing_flagged_below_minimum_wage(client):
    employer = make_user("boss@example.org", groups=[roles.EMPLOYERS], name="Kitchen Ltd")
    client.force_login(employer)
    response = client.post(reverse("employment:employer_new"), _listing_post())
    assert response.status_code == 200
    assert "lower than the National Minimum Wage" in response.content.decode()
    opp = Opportunity.objects.get()
    assert (opp.status, opp.below_minimum_wage, opp.employer_name) == ("submitted", True, "Kitchen Ltd")
    assert "<strong>Great</strong>" in opp.description_html


@pytest.mark.django_db
def test_listing_form_errors_and_access(client, resident):
    client.force_login(resident)
    assert client.get(reverse("employment:employer_new")).status_code == 403
    employer = make_user("boss2@example.org", groups=[roles.EMPLOYERS])
    client.force_login(employer)
    html = client.post(
        reverse("employment:employer_new"), _listing_post(pay_min="", pay_max="", title="")
    ).content
    html = html.decode()
    assert "Enter a title" in html
    assert "Enter the pay" in html
    assert not Opportunity.objects.exists()

    # Figures no job pays, or no column holds, are errors on the form, never a server error.
    for pay_min, pay_max, error in [
        ("1E+999999", "", "Pay from must be £1,000,000 or less"),
        ("100000000", "", "Pay from must be £1,000,000 or less"),
        ("12", "1E+30", "Pay up to must be £1,000,000 or less"),
        ("12.345", "", "Pay from must be in pounds and pence"),
        ("NaN", "", "Pay from must be a number"),
        ("-1", "", "Pay from must be £0 or more"),
    ]:
        response = client.post(
            reverse("employment:employer_new"), _listing_post(pay_min=pay_min, pay_max=pay_max)
        )
        assert response.status_code == 200, pay_min
        assert error in response.content.decode(), (pay_min, pay_max)
    assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_saved_listings(client, resident):
    opp = listing("Baker")
    client.force_login(resident)
    client.post(reverse("employment:save", args=[opp.pk]), {"saved": "1"})
    client.post(reverse("employment:save", args=[opp.pk]), {"saved": "1"})
    assert "Baker" in client.get(reverse("employment:saved")).content.decode()
    client.post(reverse("employment:save", args=[opp.pk]), {"saved": "0"})
    assert "Baker" not in client.get(reverse("employment:saved")).content.decode()


@pytest.mark.django_db
def test_moderator_inbox_status_and_formula_safe_csv(client, make_staff, pdf_cv):
    from employment.services import application_submit

    opp = listing("Chef")
    application = application_submit(
        opp_id=opp.pk,
        name="=HYPERLINK(1)",
        email="a@example.org",
        phone="",
        cv=pdf_cv,
        statement="x",
        lives_in_borough=True,
        actor=None,
    )
    staff_login(client, make_staff("mod@example.org", roles.JOBS_MODERATORS))
    inbox = reverse("admin:employment_application_changelist") + f"?opportunity__id__exact={opp.pk}"
    assert application.reference in client.get(inbox).content.decode()
    client.post(
        reverse("admin:employment_application_changelist"),
        {"action": "shortlist", "_selected_action": [application.pk]},
    )
    assert Application.objects.get().status == "shortlisted"
    response = client.post(
        reverse("admin:employment_application_changelist"),
        {"action": "export_csv", "_selected_action": [application.pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][2] == "'=HYPERLINK(1)"
    cv = client.get(reverse("admin:employment_application_cv", args=[application.pk]))
    assert b"".join(cv.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_moderator_rejects_from_the_admin_with_a_reason_that_is_emailed(
    client, make_staff, mailbox, django_capture_on_commit_callbacks
):
    from employment import services

    employer = make_user("boss@example.org", groups=[roles.EMPLOYERS])
    opp = listing("Night porter", publish=False)
    Opportunity.objects.filter(pk=opp.pk).update(employer=employer)
    services.opportunity_submit(opp_id=opp.pk, actor=employer)
    staff_login(client, make_staff("mod@example.org", roles.JOBS_MODERATORS))
    url = reverse("admin:employment_opportunity_changelist")
    asked = client.post(url, {"action": "reject", "_selected_action": [opp.pk]})
    assert asked.status_code == 200
    assert "Reason" in asked.content.decode()
    empty = client.post(url, {"action": "reject", "_selected_action": [opp.pk], "apply": "1", "reason": " "})
    assert "Enter the reason" in empty.content.decode()
    assert Opportunity.objects.get(pk=opp.pk).status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {"action": "reject", "_selected_action": [opp.pk], "apply": "1", "reason": "Pay is below NMW"},
        )
    assert done.status_code == 302
    opp.refresh_from_db()
    assert opp.status == "rejected"
    assert opp.rejection_reason == "Pay is below NMW"
    (email,) = [m for m in mailbox if "Pay is below NMW" in m.body]
    assert email.to == ["boss@example.org"]


# The employer's form refuses postcodes it cannot find.
pytestmark = pytest.mark.usefixtures("known_postcodes")


@pytest.mark.django_db
def test_a_title_is_one_line_and_a_moderators_reason_has_a_limit(client, make_staff):
    from employment import services
    from hackney_portal.core.exceptions import ApplicationError

    employer = make_user("lines@example.org", groups=[roles.EMPLOYERS])
    client.force_login(employer)
    response = client.post(
        reverse("employment:employer_new"), _listing_post(title="Line one\r\nBcc: evil@example.net")
    )
    assert response.status_code in (200, 302)
    opp = Opportunity.objects.get()
    assert opp.title == "Line one Bcc: evil@example.net"
    moderator = make_staff("mod-limit@example.org", roles.JOBS_MODERATORS)
    with pytest.raises(ApplicationError, match="2,000 characters or fewer"):
        services.opportunity_reject(opp_id=opp.pk, reason="x" * 2001, actor=moderator)
    rejected = services.opportunity_reject(opp_id=opp.pk, reason="  Say the hours\x07  ", actor=moderator)
    assert rejected.rejection_reason == "Say the hours"
