"""Issue 17 item 5: London Living Wage and minimum wage computed from the pay and the rates on the date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from employment import services
from employment.models import Opportunity, PayRate
from employment.wages import SEED_RATES, hourly_pence, rate_on, wage_check
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.users import roles
from tests.conftest import make_user

from .test_search import listing


def check(**over):
    fields = {
        "kind": "job",
        "pay_min_pence": 1500,
        "pay_max_pence": 1500,
        "pay_period": "hour",
        "hours_per_week": None,
        "age_band": "21_plus",
        "claims_london_living_wage": False,
        "on": dt.date(2026, 12, 1),
        "rates": SEED_RATES,
    }
    return wage_check(**(fields | over))


def test_rates_are_data_with_effective_dates():
    assert rate_on(SEED_RATES, "london_living_wage", dt.date(2025, 10, 21)) == 1385
    assert rate_on(SEED_RATES, "london_living_wage", dt.date(2025, 10, 22)) == 1480
    assert rate_on(SEED_RATES, "21_plus", dt.date(2026, 3, 31)) == 1221
    assert rate_on(SEED_RATES, "21_plus", dt.date(2026, 4, 1)) == 1271
    assert rate_on(SEED_RATES, "apprentice", dt.date(2026, 4, 1)) == 800


def test_living_wage_badge_only_when_the_hourly_pay_meets_the_rate_on_that_date():
    # £14.00 an hour met the 2024 rate (£13.85) but not the one from 22 October 2025 (£14.80).
    assert check(pay_min_pence=1400, pay_max_pence=1400, on=dt.date(2025, 10, 1)).meets_london_living_wage
    assert not check(
        pay_min_pence=1400, pay_max_pence=1400, on=dt.date(2025, 10, 22)
    ).meets_london_living_wage
    assert check(pay_min_pence=1480, pay_max_pence=1600).meets_london_living_wage
    # The bottom of a range decides.
    assert not check(pay_min_pence=1300, pay_max_pence=1600).meets_london_living_wage


def test_part_time_yearly_pay_uses_the_stated_hours():
    # £15,000 a year for 20 hours a week is £14.38 an hour (52.14 weeks), not £7.69 over 37.5 hours.
    assert hourly_pence(1_500_000, "year", Decimal("20")).quantize(Decimal("1")) == 1438
    result = check(pay_min_pence=1_500_000, pay_max_pence=1_500_000, pay_period="year", hours_per_week=20)
    assert not result.below_minimum
    assert not result.meets_london_living_wage
    full = check(pay_min_pence=3_100_000, pay_max_pence=3_100_000, pay_period="year", hours_per_week=40)
    assert full.meets_london_living_wage  # £14.86 an hour
    unknown = check(pay_min_pence=3_100_000, pay_max_pence=3_100_000, pay_period="year", hours_per_week=None)
    assert unknown.below_minimum  # held: the hourly pay cannot be checked
    assert not unknown.meets_london_living_wage


def test_unpaid_is_flagged_unless_volunteering_and_the_claim_is_checked():
    unpaid = {"pay_min_pence": 0, "pay_max_pence": 0, "pay_period": "none"}
    assert check(kind="job", **unpaid).below_minimum
    assert check(kind="placement", **unpaid).below_minimum
    assert not check(kind="volunteering", **unpaid).below_minimum
    claimed = check(pay_min_pence=1300, pay_max_pence=1300, claims_london_living_wage=True)
    assert not claimed.meets_london_living_wage
    assert any("says London Living Wage" in p for p in claimed.problems)
    assert (
        check(kind="apprenticeship", pay_min_pence=800, pay_max_pence=800, age_band="21_plus").below_minimum
        is False
    )


@pytest.mark.django_db
def test_rates_are_seeded_in_the_database():
    assert (
        PayRate.objects.get(kind="london_living_wage", effective_from=dt.date(2025, 10, 22)).pence_per_hour
        == 1480
    )
    assert PayRate.objects.filter(kind="21_plus").count() >= 2


@pytest.mark.django_db
def test_an_employer_tick_is_a_claim_not_a_badge(client):
    low = listing("Claims the Living Wage", pay_min_pence=1400, pay_max_pence=1400, london_living_wage=True)
    high = listing("Pays the Living Wage", pay_min_pence=1500, pay_max_pence=1500, london_living_wage=False)
    assert (low.claims_london_living_wage, low.london_living_wage) == (True, False)
    assert "says London Living Wage" in low.wage_problems
    assert high.london_living_wage
    result = client.get(reverse("employment:search"), {"living_wage": "on"}).content.decode()
    assert "Pays the Living Wage" in result
    assert "Claims the Living Wage" not in result
    detail = client.get(reverse("employment:detail", args=[low.pk])).content.decode()
    assert "London Living Wage" not in detail


@pytest.mark.django_db
def test_below_minimum_cannot_be_published_without_a_recorded_override(client):
    moderator = make_user("mod@example.org", groups=[roles.JOBS_MODERATORS])
    opp = listing("Unpaid kitchen help", publish=False, pay_period="none", pay_min_pence=0, pay_max_pence=0)
    assert opp.below_minimum_wage
    services.opportunity_submit(opp_id=opp.pk, actor=None)
    with pytest.raises(ApplicationError):
        services.opportunity_publish(opp_id=opp.pk, actor=moderator)
    with pytest.raises(ApplicationError):
        services.opportunity_publish(opp_id=opp.pk, actor=None, wage_override_reason="system")
    opp.refresh_from_db()
    assert opp.status == Opportunity.Status.SUBMITTED
    services.opportunity_publish(opp_id=opp.pk, actor=moderator, wage_override_reason="Expenses paid; agreed")
    opp.refresh_from_db()
    assert opp.status == Opportunity.Status.PUBLISHED
    assert opp.wage_override_reason == "Expenses paid; agreed"
    assert opp.wage_override_by == moderator
    assert opp.wage_override_at is not None


@pytest.mark.django_db
def test_the_database_refuses_a_published_listing_below_minimum_without_a_reason():
    from django.db import IntegrityError, transaction

    opp = listing("Paid properly")
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=opp.pk).update(below_minimum_wage=True)


@pytest.mark.django_db
def test_admin_publish_asks_for_the_reason_and_records_it(client, make_staff):
    from tests.conftest import staff_login

    moderator = make_staff("mod2@example.org", roles.JOBS_MODERATORS)
    staff_login(client, moderator)
    opp = listing("Unpaid trial shift", publish=False, pay_period="none", pay_min_pence=0, pay_max_pence=0)
    services.opportunity_submit(opp_id=opp.pk, actor=None)
    url = reverse("admin:employment_opportunity_changelist")
    page = client.post(url, {"action": "publish", "_selected_action": [opp.pk]})
    assert "Reason for publishing" in page.content.decode()
    opp.refresh_from_db()
    assert opp.status == Opportunity.Status.SUBMITTED
    client.post(
        url,
        {
            "action": "publish",
            "_selected_action": [opp.pk],
            "apply": "1",
            "wage_override_reason": "Paid trial agreed",
        },
    )
    opp.refresh_from_db()
    assert opp.status == Opportunity.Status.PUBLISHED
    assert opp.wage_override_by == moderator


@pytest.mark.django_db
def test_disability_confident_is_shown_as_the_employer_says_until_checked(client):
    opp = listing("Warehouse operative", disability_confident=True)
    html = client.get(reverse("employment:detail", args=[opp.pk])).content.decode()
    assert "The employer says they are a Disability Confident employer" in html
    Opportunity.objects.filter(pk=opp.pk).update(disability_confident_verified=True)
    html = client.get(reverse("employment:detail", args=[opp.pk])).content.decode()
    assert "Disability Confident employer (checked by Hackney Works)" in html


@pytest.mark.django_db
def test_employer_form_needs_hours_for_yearly_pay(client):
    from .test_employers_and_inbox import _listing_post

    employer = make_user("boss9@example.org", groups=[roles.EMPLOYERS], name="Shop Ltd")
    client.force_login(employer)
    html = client.post(
        reverse("employment:employer_new"), _listing_post(pay_period="year", pay_min="20000", pay_max="20000")
    ).content.decode()
    assert "Enter the hours a week" in html
    client.post(
        reverse("employment:employer_new"),
        _listing_post(
            pay_period="year", pay_min="15000", pay_max="15000", hours="part_time", hours_per_week="20"
        ),
    )
    opp = Opportunity.objects.get()
    assert opp.hours_per_week == 20
    assert not opp.below_minimum_wage


@pytest.mark.django_db
def test_demo_listings_all_publish_with_computed_badges():
    from employment.demo import LISTINGS, demo_load

    moderator = make_user("jobsmod@example.org", groups=[roles.JOBS_MODERATORS])
    employer = make_user("jobsemp@example.org", groups=[roles.EMPLOYERS])
    demo_load(users={"jobs moderator": moderator, "employer": employer})
    assert Opportunity.objects.filter(status="published").count() == len(LISTINGS)
    placement = Opportunity.objects.get(title="Retail work placement")
    assert placement.below_minimum_wage
    assert placement.wage_override_by == moderator
    assert not Opportunity.objects.get(title="Kitchen porter").london_living_wage  # £12.21 an hour


# The employer's form refuses postcodes it cannot find.
pytestmark = pytest.mark.usefixtures("known_postcodes")
