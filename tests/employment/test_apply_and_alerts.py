import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from employment import services
from employment.models import Application, SavedSearch
from hackney_portal.core.exceptions import ApplicationError
from tests.employment.test_search import listing


def _apply(client, opp, cv, **extra):
    data = {
        "name": "Sam Jobseeker",
        "email": "Sam@Example.org",
        "phone": "",
        "statement": "I love cooking",
        "lives_in_borough": "on",
        "cv": cv,
        **extra,
    }
    return client.post(reverse("employment:apply", args=[opp.pk]), data)


@pytest.mark.django_db
def test_apply_with_a_pdf_cv_confirms_and_emails(client, pdf_cv, mailbox, django_capture_on_commit_callbacks):
    opp = listing("Chef")
    with django_capture_on_commit_callbacks(execute=True):
        response = _apply(client, opp, pdf_cv)
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.email, application.cv_type) == ("sam@example.org", "pdf")
    page = client.get(response["Location"]).content.decode()
    assert application.reference in page
    assert len(mailbox) == 1
    assert application.reference in mailbox[0].body


@pytest.mark.django_db
def test_docx_is_accepted(client, docx_cv):
    opp = listing("Chef")
    assert _apply(client, opp, docx_cv).status_code == 302
    assert Application.objects.get().cv_type == "docx"


@pytest.mark.django_db
def test_renamed_executable_is_refused_and_the_rest_of_the_form_is_kept(client):
    opp = listing("Chef")
    exe = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")
    response = _apply(client, opp, exe, statement="Kept statement text")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The CV must be a PDF or a Word document" in html
    assert "Kept statement text" in html
    assert 'value="Sam Jobseeker"' in html
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_oversized_cv_is_refused(client):
    from tests.employment.conftest import pdf_bytes

    opp = listing("Chef")
    big = SimpleUploadedFile("cv.pdf", pdf_bytes() + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    assert "smaller than 5 MB" in _apply(client, opp, big).content.decode()


@pytest.mark.django_db
def test_one_application_per_email_per_listing(client, pdf_cv):
    from tests.employment.conftest import pdf_bytes

    opp = listing("Chef")
    _apply(client, opp, pdf_cv)
    again = _apply(client, opp, SimpleUploadedFile("cv.pdf", pdf_bytes()), email="sam@example.ORG")
    assert "already applied" in again.content.decode()
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_closed_listing_takes_no_applications(pdf_cv):
    opp = listing("Chef", closing_in=-1)
    with pytest.raises(ApplicationError, match="closed"):
        services.application_submit(
            opp_id=opp.pk,
            name="A",
            email="a@example.org",
            phone="",
            cv=pdf_cv,
            statement="x",
            lives_in_borough=True,
            actor=None,
        )


@pytest.mark.django_db
def test_saved_search_needs_confirming_then_alerts_new_matches_only_and_unsubscribes(
    client, mailbox, django_capture_on_commit_callbacks
):
    listing("Old chef job")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("employment:alert_create"),
            {"query": "q=chef", "email": "Al@Example.org", "frequency": "daily"},
        )
    search = SavedSearch.objects.get()
    assert "confirm" in mailbox[0].body
    assert services.alerts_send() == 0  # nothing before the email is confirmed
    client.get(reverse("employment:alert_confirm", args=[search.token]))
    listing("New chef job")
    listing("New bus driver job")
    later = timezone.now() + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_send(now=later) == 1
        assert services.alerts_send(now=later + dt.timedelta(hours=1)) == 0  # not twice in a day
    alert = mailbox[-1]
    assert "New chef job" in alert.body
    assert "Old chef job" not in alert.body
    assert "bus driver" not in alert.body
    unsubscribe = alert.body.split("/jobs/alerts/unsubscribe/")[1].split("/")[0]
    assert client.get(reverse("employment:alert_unsubscribe", args=[unsubscribe])).status_code == 200
    listing("Another chef job")
    assert services.alerts_send(now=later + dt.timedelta(days=2)) == 0


@pytest.mark.django_db
def test_a_word_document_with_macros_is_refused(client):
    import io
    import zipfile

    from tests.employment.conftest import docx_bytes

    buf = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro project")
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    macro = SimpleUploadedFile("cv.docx", buf.getvalue(), content_type=kind)
    response = _apply(client, listing("Chef"), macro)
    assert response.status_code == 200
    assert "without macros" in response.content.decode()
    assert not Application.objects.exists()
