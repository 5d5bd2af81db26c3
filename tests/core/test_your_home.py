"""Your Hackney: the signed-in home page gathers what needs doing and each used service's summary."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hackney_portal.core.models import AuditEvent
from hackney_portal.users import roles
from payments import services as payment_services
from payments.calendar import business_date
from payments.models import RentAccount
from tests.conftest import make_user
from tests.employment.conftest import pdf_bytes
from tests.factories import CaseFactory, OpportunityFactory


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _rent_account(reference: str, *, owed_pence: int) -> RentAccount:
    account = RentAccount.objects.create(
        reference=reference,
        postcode="E8 1EA",
        tenant_name="Rita Resident",
        address="1 Mare Street",
        weekly_rent_pence=15_000,
    )
    if owed_pence:
        payment_services.ledger_post(
            account_id=account.pk, kind="rent", amount_pence=owed_pence, description="Rent"
        )
    account.refresh_from_db()
    return account


@pytest.fixture
def officer(make_staff):
    return make_staff("officer@example.org", roles.HOUSING_OFFICERS)


@pytest.fixture
def uses_everything(resident, officer):
    return resident_using_everything(resident, officer)


def resident_using_everything(resident, officer):
    """Rita: a rent account in arrears, a housing case with a document asked for and a plan step, and a
    job application the employer has just shortlisted."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from employment import services as job_services
    from homelessness import services as housing_services

    account = _rent_account("1111111111", owed_pence=36_416)
    payment_services.account_link(user=resident, account=account, actor=None)
    case = CaseFactory(actor=resident, answers={"name": "Rita Resident", "email": resident.email})
    today = timezone.localdate()
    housing_services.document_request_create(
        case=case, actor=officer, description="a copy of your eviction notice", due_on=today + dt.timedelta(3)
    )
    housing_services.plan_step_add(
        case=case,
        actor=officer,
        owner="applicant",
        text="register with two letting agents",
        due_on=today + dt.timedelta(10),
    )
    job = OpportunityFactory(title="Kitchen porter")
    application = job_services.application_submit(
        opp_id=job.pk,
        name="Rita Resident",
        email=resident.email,
        phone="",
        cv=SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf"),
        statement="I want this job",
        lives_in_borough=True,
        actor=resident,
    )
    job_services.application_set_status(
        application_id=application.pk, status="shortlisted", feedback="", actor=None
    )
    return {"account": account, "case": case, "application": application}


@pytest.mark.django_db
def test_a_resident_who_uses_all_three_sees_what_needs_doing_then_each_service(uses_everything, resident):
    client = Client()
    client.force_login(resident)
    response = client.get("/")
    assert response.status_code == 200
    text = _text(response)
    html = response.content.decode()
    account, case = uses_everything["account"], uses_everything["case"]

    # What needs doing comes first: the arrears (urgent) with Pay now, then the dated housing tasks.
    doing = text.index("What you need to do")
    owed = text.index("You owe £364.16 rent on account 1111111111.")
    document = text.index("Your housing officer asked you for: a copy of your eviction notice.")
    step = text.index("Your housing plan says: register with two letting agents.")
    news = text.index("News about your application for Kitchen porter: You have been shortlisted.")
    summaries = text.index("Pay your rent", news)
    assert doing < owed < document < step < news < summaries
    assert f'href="{reverse("payments:pay", args=[account.pk])}">Pay now</a>' in html
    assert f'href="{reverse("homelessness:case", args=[case.reference])}"' in html
    assert "Send it by " + format(timezone.localdate() + dt.timedelta(3), "%A %-d %B %Y") in text

    # Then each service's summary, with links (the housing case list is linked from here).
    assert "Rent account 1111111111 £364.16 to pay" in text
    assert f"Application {case.reference} Received" in text
    assert "Kitchen porter Shortlisted" in text
    assert f'href="{reverse("homelessness:my_cases")}"' in html
    assert "Other services" not in text

    # Showing the case is a read of case data: audited.
    assert AuditEvent.objects.filter(
        action="homelessness.case.shown_to_applicant", object_id=str(case.pk), actor=resident
    ).exists()


@pytest.mark.django_db
def test_a_resident_who_uses_nothing_sees_no_service_data(resident):
    client = Client()
    client.force_login(resident)
    text = _text(client.get("/"))
    assert "Your Hackney" in text
    assert "There is nothing you need to do at the moment." in text
    for absent in ("Rent account", "Application ", "Shortlisted", "Job alerts", "Saved jobs"):
        assert absent not in text
    # The services are offered instead.
    assert "Other services" in text
    assert "Pay your rent" in text


@pytest.mark.django_db
def test_a_second_residents_data_never_shows(uses_everything, other_resident):
    client = Client()
    client.force_login(other_resident)
    text = _text(client.get("/"))
    case = uses_everything["case"]
    for leaked in (
        "1111111111",
        "364.16",
        case.reference,
        "eviction notice",
        "letting agents",
        "Kitchen porter",
    ):
        assert leaked not in text
    assert not AuditEvent.objects.filter(action="homelessness.case.shown_to_applicant", actor=other_resident)


@pytest.mark.django_db
def test_rent_due_next_monday_when_not_in_arrears(resident):
    account = _rent_account("2222222222", owed_pence=0)
    payment_services.account_link(user=resident, account=account, actor=None)
    client = Client()
    client.force_login(resident)
    text = _text(client.get("/"))
    monday = business_date() + dt.timedelta(days=(7 - business_date().weekday()) % 7)
    assert (
        f"Your rent of £150.00 on account 2222222222 is due on {monday:%A} {monday.day} {monday:%B %Y}."
        in text
    )
    assert "Nothing to pay" in text


@pytest.mark.django_db
def test_signing_in_shows_no_successfully_signed_in_banner():
    make_user("banner@example.org", password="a-long-pass-phrase-9")
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "banner@example.org", "password": "a-long-pass-phrase-9"},
        follow=True,
    )
    assert response.context["user"].is_authenticated
    assert "Successfully signed in" not in response.content.decode()
    assert "govuk-notification-banner" not in response.content.decode()


@pytest.mark.django_db
def test_signed_out_home_is_the_public_start_page(client):
    text = _text(client.get("/"))
    assert "services online" in text
    assert "What you need to do" not in text
