"""Issue 17 item 7: applicants hear back, see their applications, get prefilled forms, apply once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from employment import services
from employment.models import Application
from hackney_portal.core.models import Notification
from tests.conftest import make_user

from .conftest import pdf_bytes
from .test_search import listing


def cv():
    return SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf")


def apply(client, opp, **extra):
    data = {
        "name": "Sam",
        "email": "sam@example.org",
        "phone": "",
        "statement": "Keen",
        "lives_in_borough": "on",
        "cv": cv(),
        **extra,
    }
    return client.post(reverse("employment:apply", args=[opp.pk]), data)


@pytest.mark.django_db
def test_status_changes_email_the_applicant_with_feedback_once():
    opp = listing("Chef")
    application = services.application_submit(
        opp_id=opp.pk,
        name="Sam",
        email="sam@example.org",
        phone="",
        cv=cv(),
        statement="x",
        lives_in_borough=True,
        actor=None,
    )
    services.application_set_status(
        application_id=application.pk, status="interview", feedback="", actor=None
    )
    services.application_set_status(
        application_id=application.pk,
        status="unsuccessful",
        feedback="Strong, but we needed weekend cover",
        actor=None,
    )
    services.application_set_status(
        application_id=application.pk,
        status="unsuccessful",
        feedback="Strong, but we needed weekend cover",
        actor=None,
    )  # saved again unchanged: no second email
    notes = Notification.objects.filter(template="employment/email/application_status").order_by("pk")
    assert [n.to for n in notes] == ["sam@example.org", "sam@example.org"]
    assert "Invited to interview" in notes[0].body
    assert "unsuccessful" in notes[1].subject
    assert "we needed weekend cover" in notes[1].body


@pytest.mark.django_db
def test_signed_in_form_is_prefilled_and_my_applications_lists_only_mine(client):
    opp = listing("Chef")
    sam = make_user("sam@example.org", name="Sam Jobseeker")
    other = make_user("other@example.org", name="Other Person")
    client.force_login(sam)
    page = client.get(reverse("employment:apply", args=[opp.pk])).content.decode()
    assert 'value="Sam Jobseeker"' in page
    assert 'value="sam@example.org"' in page
    assert apply(client, opp).status_code == 302
    mine = client.get(reverse("employment:my_applications")).content.decode()
    assert "Chef" in mine
    assert "Received" in mine
    client.force_login(other)
    assert "Chef" not in client.get(reverse("employment:my_applications")).content.decode()
    client.logout()
    assert client.get(reverse("employment:my_applications")).status_code == 302  # sign in first


@pytest.mark.django_db
def test_one_application_per_account_whatever_email_is_typed(client):
    opp = listing("Chef")
    client.force_login(make_user("sam@example.org"))
    apply(client, opp)
    again = apply(client, opp, email="sam.other@example.org")
    assert "You have already applied for this opportunity" in again.content.decode()
    assert Application.objects.count() == 1
