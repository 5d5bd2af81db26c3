"""Issue 17 item 8: employers work the applications to their own listings only (list, CV download audited,
status and feedback that email the applicant); moderators keep the inbox across all employers."""

import pytest
from django.urls import reverse

from employment import services
from employment.models import Application
from hackney_portal.core.models import AuditEvent
from hackney_portal.users import roles
from tests.conftest import make_user, staff_login
from tests.employment.test_search import listing
from tests.security.test_access import EMPLOYER_OWNED


@pytest.fixture
def two_employers(db, pdf_cv):
    boss = make_user("boss@example.org", groups=[roles.EMPLOYERS], name="Kitchen Ltd")
    rival = make_user("rival@example.org", groups=[roles.EMPLOYERS], name="Rival Ltd")
    mine, theirs = listing("Line cook"), listing("Barista")
    mine.employer, theirs.employer = boss, rival
    mine.save(update_fields=["employer"])
    theirs.save(update_fields=["employer"])
    applications = []
    for opp, email in ((mine, "sam@example.org"), (theirs, "kim@example.org")):
        pdf_cv.seek(0)
        applications.append(
            services.application_submit(
                opp_id=opp.pk,
                name=email.split("@")[0].title(),
                email=email,
                phone="",
                cv=pdf_cv,
                statement="Ten years in kitchens",
                lives_in_borough=True,
                actor=None,
            )
        )
    return boss, rival, mine, theirs, applications


def test_an_employer_lists_reads_and_downloads_applications_to_their_own_listing(client, two_employers):
    boss, _rival, mine, _theirs, (sam, kim) = two_employers
    client.force_login(boss)
    listings = client.get(reverse("employment:employer_listings")).content.decode()
    assert reverse("employment:employer_applications", args=[mine.pk]) in listings
    inbox = client.get(reverse("employment:employer_applications", args=[mine.pk])).content.decode()
    assert sam.reference in inbox
    assert kim.reference not in inbox
    page = client.get(reverse("employment:employer_application", args=[sam.pk])).content.decode()
    assert "Ten years in kitchens" in page
    cv = client.get(reverse("employment:employer_application_cv", args=[sam.pk]))
    assert cv["Content-Type"] == "application/pdf"
    assert b"".join(cv.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="employment.application.cv_downloaded")
    assert (event.actor, event.object_id) == (boss, str(sam.pk))


def test_an_employer_sets_status_and_feedback_and_the_applicant_is_emailed(
    client, two_employers, mailbox, django_capture_on_commit_callbacks
):
    boss, _rival, _mine, _theirs, (sam, _kim) = two_employers
    client.force_login(boss)
    url = reverse("employment:employer_application", args=[sam.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "interview", "feedback": "Come in on Tuesday at 10"})
    assert response.status_code == 302
    sam.refresh_from_db()
    assert (sam.status, sam.feedback) == ("interview", "Come in on Tuesday at 10")
    (email,) = [m for m in mailbox if m.to == ["sam@example.org"] and "interview" in m.subject.lower()]
    assert "Come in on Tuesday at 10" in email.body
    assert AuditEvent.objects.filter(action="employment.application.interview", actor=boss).exists()
    bad = client.post(url, {"status": "promoted", "feedback": ""})
    assert bad.status_code == 200
    assert "There is a problem" in bad.content.decode()
    sam.refresh_from_db()
    assert sam.status == "interview"


def test_another_employer_gets_404_for_everything(client, two_employers, mailbox):
    _boss, rival, mine, _theirs, (sam, _kim) = two_employers
    client.force_login(rival)
    assert client.get(reverse("employment:employer_applications", args=[mine.pk])).status_code == 404
    assert client.get(reverse("employment:employer_application", args=[sam.pk])).status_code == 404
    assert client.get(reverse("employment:employer_application_cv", args=[sam.pk])).status_code == 404
    post = client.post(
        reverse("employment:employer_application", args=[sam.pk]), {"status": "unsuccessful", "feedback": "x"}
    )
    assert post.status_code == 404
    assert Application.objects.get(pk=sam.pk).status == "received"
    assert not AuditEvent.objects.filter(action="employment.application.cv_downloaded").exists()


def test_a_resident_is_not_let_in_and_moderators_keep_the_inbox_across_employers(
    client, two_employers, resident, make_staff
):
    _boss, _rival, mine, _theirs, (sam, kim) = two_employers
    client.force_login(resident)
    assert client.get(reverse("employment:employer_applications", args=[mine.pk])).status_code == 403
    staff_login(client, make_staff("mod@example.org", roles.JOBS_MODERATORS))
    inbox = client.get(reverse("admin:employment_application_changelist")).content.decode()
    assert sam.reference in inbox
    assert kim.reference in inbox


@pytest.mark.parametrize("url_name", sorted(EMPLOYER_OWNED))
def test_every_employer_url_refuses_another_employer_and_logs_it(url_name, client, two_employers, caplog):
    import logging

    boss, rival, mine, _theirs, (sam, _kim) = two_employers
    by_application = {"employment:employer_application", "employment:employer_application_cv"}
    args = [sam.pk] if url_name in by_application else [mine.pk]
    url = reverse(url_name, args=args)
    client.force_login(rival)
    caplog.set_level(logging.WARNING, logger="hackney_portal.security")
    assert client.get(url).status_code == 404
    assert [r for r in caplog.records if r.getMessage() == "access refused" and r.url_name == url_name]
    client.force_login(boss)
    assert client.get(url).status_code == 200
