"""Who sees which case: residents their own, housing officers theirs, restricted cases only named officers.
Every staff view of case data is in the audit log."""

import pytest
from django.test import Client

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.models import AuditEvent
from homelessness import selectors, services
from homelessness.models import Case
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def test_a_resident_sees_only_their_own_case(make_case, resident, other_resident):
    mine = make_case(actor=resident)
    theirs = make_case(actor=other_resident, name="Someone Else")
    client = Client()
    client.force_login(resident)
    assert client.get(f"/housing-help/cases/{mine.reference}/").status_code == 200
    # Someone else's case and a case that does not exist look the same.
    assert client.get(f"/housing-help/cases/{theirs.reference}/").status_code == 404
    assert client.get("/housing-help/cases/HHA-9999999/").status_code == 404
    assert client.get(f"/housing-help/cases/{theirs.reference}/letters/1/").status_code == 404
    assert list(selectors.cases_for_resident(resident)) == [mine]
    assert theirs.reference not in client.get("/housing-help/cases/").content.decode()
    assert Client().get(f"/housing-help/cases/{mine.reference}/").status_code == 404


def test_the_emailed_status_link_opens_only_that_case(make_case):
    a, b = make_case(), make_case(name="B")
    client = Client()
    response = client.get(f"/housing-help/status/{services.case_status_token(a)}/")
    assert response.url == f"/housing-help/cases/{a.reference}/"
    assert client.get(response.url).status_code == 200
    assert client.get(f"/housing-help/cases/{b.reference}/").status_code == 404
    assert client.get("/housing-help/status/forged-token/").status_code == 404


def test_a_resident_cannot_tick_someone_elses_plan_step(make_case, resident, other_resident, officer):
    theirs = make_case(actor=other_resident)
    step = services.plan_step_add(
        case=theirs, actor=officer, owner="applicant", text="Step", due_on=theirs.created_at.date()
    )
    client = Client()
    client.force_login(resident)
    assert (
        client.post(f"/housing-help/cases/{theirs.reference}/plan/{step.pk}/", {"done": "1"}).status_code
        == 404
    )
    step.refresh_from_db()
    assert step.done_at is None


def test_officers_outside_the_housing_groups_see_nothing(make_case, finance, client):
    case = make_case()
    staff_login(client, finance)
    assert client.get("/admin/homelessness/case/").status_code == 403
    assert client.get(f"/admin/homelessness/case/{case.pk}/change/").status_code in (403, 404)
    assert not selectors.cases_visible_to(finance).exists()


def test_restricted_cases_are_hidden_from_other_officers(
    make_case, officer, colleague, manager, team_officer
):
    open_case = make_case()
    restricted = make_case(risk="domestic_abuse", name="Hidden Person")
    assert restricted.restriction == "domestic_abuse"
    for user, expected in (
        (officer, {open_case}),
        (manager, {open_case}),  # a manager outside the restricted cases team too
        (team_officer, {open_case, restricted}),
    ):
        assert set(selectors.cases_visible_to(user)) == expected
    client = Client()
    staff_login(client, officer)
    listing = client.get("/admin/homelessness/case/").content.decode()
    assert open_case.reference in listing
    assert "Hidden Person" not in listing
    assert client.get(f"/admin/homelessness/case/{restricted.pk}/change/").status_code == 404
    denied = AuditEvent.objects.filter(action="homelessness.case.access_denied", actor=officer)
    assert denied.count() == 1
    # A team case cannot be handed to someone outside the team, which would let them in.
    with pytest.raises(ApplicationError, match="restricted cases team"):
        services.case_assign(case=restricted, officer=colleague, actor=team_officer)
    assert restricted not in selectors.cases_visible_to(colleague)
    # Naming an officer on a case restricted by a manager (here, by assigning them) lets them in.
    staff_case = make_case(name="Staff Member")
    services.case_restrict(case=staff_case, actor=manager, restriction="staff", officers=[])
    assert staff_case not in selectors.cases_visible_to(colleague)
    services.case_assign(case=staff_case, officer=colleague, actor=manager)
    assert staff_case in selectors.cases_visible_to(colleague)
    assert staff_case not in selectors.cases_visible_to(officer)


def test_every_staff_view_of_case_data_is_audit_logged(make_case, officer, client):
    case = make_case()
    staff_login(client, officer)
    client.get("/admin/homelessness/case/?queue=new")
    client.get(f"/admin/homelessness/case/{case.pk}/change/")
    listed = AuditEvent.objects.get(action="homelessness.case.listed")
    assert listed.actor == officer
    assert case.reference in listed.data["references"]
    viewed = AuditEvent.objects.get(action="homelessness.case.viewed")
    assert (viewed.actor, viewed.object_id) == (officer, str(case.pk))
    with pytest.raises(Exception, match="append-only"):
        AuditEvent.objects.filter(pk=viewed.pk).delete()


def test_every_write_is_audit_logged(make_case, officer):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_note_add(case=case, actor=officer, text="Called, left no message.")
    actions = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {"homelessness.case.created", "homelessness.case.assigned", "homelessness.note.added"} <= actions


def test_special_category_data_is_encrypted_at_rest(make_case):
    from django.db import connection

    case = make_case()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT details, support_needs, safe_contact FROM homelessness_case WHERE id = %s", [case.pk]
        )
        details, needs, safe = cursor.fetchone()
    assert needs.startswith("gAAAA")
    assert safe.startswith("gAAAA")
    assert "Mare Street" not in details
    assert details.startswith("gAAAA")  # a Fernet token
    assert "Mare Street" in Case.objects.get(pk=case.pk).details["last-settled"]["last_address"]


def test_evidence_files_and_emailed_letters_are_encrypted_at_rest(make_case, officer, settings, tmp_path):
    from pathlib import Path

    from django.core.files.base import ContentFile
    from django.db import connection
    from django.urls import reverse

    from hackney_portal.core.models import Notification

    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    evidence = b"%PDF-1.4\nLetter from Dr Patel about depression\n%%EOF"
    doc = services.document_upload(case=case, actor=officer, upload=ContentFile(evidence, name="gp.pdf"))
    on_disk = Path(doc.file.path).read_bytes()
    assert b"depression" not in on_disk
    assert on_disk.startswith(b"gAAAA")

    client = Client()
    staff_login(client, officer)
    url = reverse("admin:homelessness_case_document", args=[case.pk, doc.pk])
    download = client.get(url)
    assert b"".join(download.streaming_content) == evidence
    assert download["Content-Length"] == str(len(evidence))
    # Named for the case and the type it was checked to be, never the storage path (it has no extension).
    assert download["Content-Disposition"] == f'attachment; filename="{case.reference}-{doc.pk}.pdf"'
    assert download["Content-Type"] == "application/pdf"
    # Another case's document asked for through this one: not found, and the probe is in the audit log.
    other = make_case()
    services.case_assign(case=other, officer=officer, actor=officer)
    elsewhere = reverse("admin:homelessness_case_document", args=[other.pk, doc.pk])
    assert client.get(elsewhere).status_code == 404
    from hackney_portal.core.models import AuditEvent

    probe = AuditEvent.objects.filter(action="homelessness.case.access_denied").latest("id")
    assert probe.data == {"case_id": str(other.pk), "document_id": str(doc.pk)}

    services.letter_issue(
        case=case, actor=officer, kind="s184", decision="not_homeless", reasons="Has a home."
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, html_body FROM core_notification WHERE template LIKE 'homelessness/%%'")
        rows = cursor.fetchall()
    assert rows
    assert all(body.startswith("gAAAA") and "Has a home" not in body for body, _ in rows)
    letters = Notification.objects.filter(template__startswith="homelessness/")
    assert any("Has a home" in n.body for n in letters)


def test_cases_cannot_be_searched_through_the_admin_autocomplete(make_case, officer, client):
    """Django's autocomplete runs the case admin's search outside the audited case list: refused, since no
    widget in the portal uses it (only the case list searches cases, and it records every search)."""
    from django.urls import reverse

    case = make_case(name="Sam Searchable", email="sam@example.org")
    staff_login(client, officer)
    autocomplete = reverse("admin:autocomplete")
    # Any model with a foreign key to Case names it as the target, registered in the admin or not.
    for model_name in ("householdmember", "casenote", "casemessage"):
        for term in ("sam@example.org", "Searchable", case.reference, ""):
            response = client.get(
                autocomplete,
                {"app_label": "homelessness", "model_name": model_name, "field_name": "case", "term": term},
            )
            assert response.status_code in (403, 404), (model_name, term)
            assert case.reference not in response.content.decode(), (model_name, term)
    assert not AuditEvent.objects.filter(actor=officer, action="homelessness.case.listed").exists()
    # The case list still searches, and records it.
    found = client.get(reverse("admin:homelessness_case_changelist"), {"q": "sam@example.org"})
    assert case.reference in found.content.decode()
    listed = AuditEvent.objects.get(actor=officer, action="homelessness.case.listed")
    assert listed.data["references"] == [case.reference]


@pytest.mark.parametrize(
    ("action", "data", "error"),
    [
        ("note", {"text": ""}, "This field is required"),  # an invalid form
        # A valid form the service refuses: only a housing manager may put a case on legal hold.
        ("hold", {"hold": "1", "reason": "Appeal"}, "Only a housing manager"),
    ],
)
def test_a_failed_action_that_shows_the_case_is_audited(make_case, officer, client, action, data, error):
    from django.urls import reverse

    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    staff_login(client, officer)
    response = client.post(reverse(f"admin:homelessness_case_act_{action}", args=[case.pk]), data)
    assert response.status_code == 400
    assert "Jo Bloggs" in response.content.decode()  # the whole workspace, with the form's errors
    assert error in response.content.decode()
    viewed = AuditEvent.objects.get(actor=officer, object_id=str(case.pk), action="homelessness.case.viewed")
    assert viewed.data == {"reference": case.reference, "action_failed": action}
