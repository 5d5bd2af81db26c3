"""Letters at every statutory point: stored (append-only), shown to the applicant, sent only by the way they
said is safe, and downloadable as PDF through an audited view."""

import datetime as dt

import pytest
from django.db import transaction

from hackney_portal.core.audit import AuditEvent
from hackney_portal.core.exceptions import ApplicationError
from homelessness import services
from homelessness.letter_pdf import letter_pdf
from homelessness.models import Case, CaseMessage, DecisionLetter
from homelessness.rules import AssessmentOutcome as AO
from homelessness.rules import CloseReason as CR
from homelessness.rules import Stage as S
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


def _not_homeless_decision(case, officer):
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(case=case, actor=officer, eligible=True, outcome=AO.NEITHER)
    services.case_move(
        case=case, actor=officer, to_stage=S.CLOSED, end_reason=CR.NOT_HOMELESS, reasons="You have a home."
    )
    return DecisionLetter.objects.get(case=case)


def test_s203_s204_the_review_decision_letter_gives_reasons_and_county_court_appeal_rights(
    make_case, officer, colleague
):
    letter = _not_homeless_decision(make_case(), officer)
    review = services.review_request(
        letter=letter, actor=officer, requested_on=letter.issued_on, kind="standard"
    )
    services.review_decide(
        review=review, actor=colleague, outcome="upheld", reasons="The tenancy is available."
    )
    decision = DecisionLetter.objects.get(case=letter.case, kind=DecisionLetter.Kind.REVIEW_DECISION)
    assert "The tenancy is available." in decision.body
    assert "section 204" in decision.body
    assert "county court" in decision.body
    assert "if you get it later, the 21 days run from the day you get it" in decision.body
    assert f"{decision.review_deadline:%-d %B %Y}" in decision.body  # 21 days to appeal (s.204(2))
    assert "Original decision upheld" in decision.body
    with pytest.raises(ApplicationError, match=r"s\.204"):
        services.review_request(
            letter=decision, actor=officer, requested_on=decision.issued_on, kind="standard"
        )


def test_a_withdrawn_review_sends_no_decision_letter(make_case, officer, colleague):
    letter = _not_homeless_decision(make_case(), officer)
    review = services.review_request(
        letter=letter, actor=officer, requested_on=letter.issued_on, kind="standard"
    )
    services.review_decide(review=review, actor=colleague, outcome="withdrawn", reasons="Asked to withdraw.")
    assert not DecisionLetter.objects.filter(kind=DecisionLetter.Kind.REVIEW_DECISION).exists()


def test_the_applicant_sees_their_letters_and_downloads_each_as_an_audited_pdf(
    make_case, officer, resident, other_resident, client
):
    case = make_case(actor=resident)
    letter = _not_homeless_decision(case, officer)
    client.force_login(resident)
    page = client.get(f"/housing-help/cases/{case.reference}/").content.decode()
    assert f"/housing-help/cases/{case.reference}/letters/{letter.pk}/pdf/" in page
    html = client.get(f"/housing-help/cases/{case.reference}/letters/{letter.pk}/")
    assert "You have a home." in html.content.decode()
    response = client.get(f"/housing-help/cases/{case.reference}/letters/{letter.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f'filename="{case.reference}-letter-{letter.pk}.pdf"' in response["Content-Disposition"]
    opened = AuditEvent.objects.filter(action="homelessness.letter.opened").order_by("id")
    assert [(e.actor, e.data["format"]) for e in opened] == [(resident, "html"), (resident, "pdf")]
    # Someone else's letter: the same answer as no letter at all, and nothing logged as opened.
    client.force_login(other_resident)
    assert client.get(f"/housing-help/cases/{case.reference}/letters/{letter.pk}/pdf/").status_code == 404
    assert opened.count() == 2


def test_officers_download_a_letter_pdf_from_the_workspace_and_it_is_logged(make_case, officer, client):
    letter = _not_homeless_decision(make_case(), officer)
    staff_login(client, officer)
    url = f"/admin/homelessness/case/{letter.case_id}/letters/{letter.pk}/pdf/"
    assert url in client.get(f"/admin/homelessness/case/{letter.case_id}/change/").content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="homelessness.letter.opened", actor=officer).exists()
    other = _not_homeless_decision(make_case(name="Someone Else"), officer)
    assert client.get(f"/admin/homelessness/case/{letter.case_id}/letters/{other.pk}/pdf/").status_code == 404


def test_a_letter_with_any_characters_still_makes_a_pdf(make_case, officer):
    case = make_case(name="Zoë “Z” O’Brien \x07 李")
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(case=case, actor=officer, eligible=True, outcome=AO.NEITHER)
    services.case_move(
        case=case,
        actor=officer,
        to_stage=S.CLOSED,
        end_reason=CR.NOT_HOMELESS,
        reasons="Reasons – “quoted”\x00.",
    )
    assert letter_pdf(DecisionLetter.objects.get(case=case)).startswith(b"%PDF-")


def test_letters_are_sent_only_by_the_safe_channel_but_always_shown_on_the_case(
    make_case, officer, on_commit
):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(safe_method="phone")
    case = Case.objects.get(pk=case.pk)
    with on_commit(execute=True):
        letter = _not_homeless_decision(case, officer)
    message = CaseMessage.objects.get(case=case, notification__template="homelessness/email/letter")
    assert message.held_reason == "Not emailed: the applicant said email is not safe (phone call only)"
    assert message.notification.status == "held"
    assert letter in case.letters.all()


def test_every_statutory_letter_is_append_only(make_case, officer):
    letter = _not_homeless_decision(make_case(), officer)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        DecisionLetter.objects.filter(pk=letter.pk).update(body="changed")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        DecisionLetter.objects.filter(pk=letter.pk).delete()


def test_end_to_end_a_priority_need_applicant_gets_a_letter_at_every_statutory_point(
    make_case, officer, manager, colleague
):
    """Prevention (s.195), relief for 56 days (s.189B(4)), intentionality (s.191) and the main duty
    (s.193): each step has its letter, in order."""
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AO.THREATENED, priority_need="children"
    )
    case = services.case_accept_prevention_duty(case=case, actor=officer, reasons="Notice to leave.")
    case = services.case_accept_relief_duty(case=case, actor=officer, reasons="Evicted.")
    with pytest.raises(ApplicationError, match=r"s\.189B\(4\)"):
        services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    case.relief_start -= dt.timedelta(days=56)
    case.save()
    case = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
    case = services.case_decide_intentionality(case=case, actor=officer, intentional=False, reasons="Not.")
    case = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY, reasons="Dependent children.")
    assert case.stage == S.MAIN_DUTY
    kinds = list(case.letters.order_by("id").values_list("kind", flat=True))
    assert kinds == ["prevention_accepted", "relief_accepted", "intentionality", "main_duty"]


def test_a_letter_keeps_the_applicants_name_in_any_european_alphabet(make_case, officer):
    """Helvetica in a PDF is Latin-1 only, which turned "Łukasz" into "?ukasz" on a statutory letter."""
    import io

    from pypdf import PdfReader

    name = "Łukasz Wiśniewski-Çelik Анна Ελένη"
    letter = _not_homeless_decision(make_case(name=name), officer)
    assert name in letter.body
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter_pdf(letter))).pages)
    assert name in text
    assert "?" not in text.replace("?", "", letter.body.count("?"))
