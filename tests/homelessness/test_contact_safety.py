"""Contact safety: nothing reaches an applicant by a channel they ruled out, and officers see what was held.

An applicant who says only a phone call is safe (their email may be read by someone who harms them) must
never be emailed, whichever part of the service has something to tell them.
"""

import ast
import pathlib

import pytest

from homelessness import intake, services
from homelessness.check_answers import check_rows
from homelessness.contact import Channel, contact_check
from homelessness.demo import FORM_PAGES as PAGES
from homelessness.models import Case, CaseMessage, IntakeDraft
from homelessness.rules import AssessmentOutcome, Stage
from tests.conftest import staff_login

from .test_intake import _go

pytestmark = pytest.mark.django_db

HOMELESSNESS = pathlib.Path(__file__).resolve().parents[2] / "homelessness"
# Messages that go to staff or to a referring body, never to the applicant, and the resume link (no case
# exists yet; it is checked against the draft's answers, see test_a_resume_link_is_not_emailed_...).
NOT_TO_THE_APPLICANT = {
    "deadline",
    "unassigned",
    "referral_ack",
    "referral_outcome",
    "resume",
    "restricted_alert",
}


def _applicant_templates() -> set[str]:
    names = {
        p.name.rsplit("_", 1)[0] for p in (HOMELESSNESS / "templates/homelessness/email").glob("*_body.txt")
    }
    return names - NOT_TO_THE_APPLICANT


# ---------------------------------------------------------------------------------------------------------
# One rule per channel


@pytest.mark.parametrize(
    ("safe_method", "no_messages", "address", "allowed"),
    [
        ("email", False, "a@example.org", True),
        ("phone", False, "a@example.org", False),
        ("text", False, "a@example.org", False),
        ("email", True, "a@example.org", False),
        ("", False, "a@example.org", True),  # not asked (a referral): the address was given with consent
        ("email", False, "", False),
    ],
)
def test_email_rule(safe_method, no_messages, address, allowed):
    reason = contact_check(
        channel=Channel.EMAIL, safe_method=safe_method, no_messages=no_messages, address=address
    )
    assert (reason == "") is allowed
    if not allowed:
        assert reason.startswith("Not emailed: ")


@pytest.mark.parametrize(
    ("safe_method", "no_messages", "allowed"),
    [("text", False, True), ("phone", False, False), ("email", False, False), ("text", True, False)],
)
def test_text_message_rule(safe_method, no_messages, allowed):
    reason = contact_check(
        channel=Channel.SMS, safe_method=safe_method, no_messages=no_messages, address="07700900982"
    )
    assert (reason == "") is allowed
    if not allowed:
        assert reason.startswith("Not texted: ")


@pytest.mark.parametrize(
    ("safe_method", "no_messages", "suppressed", "allowed"),
    [
        ("", False, False, True),
        ("phone", False, False, False),  # no intake answer offers post: anyone who answered did not choose it
        ("email", False, False, False),
        ("", True, False, False),
        ("", False, True, False),  # a suppressed address (domestic abuse) is never written to
    ],
)
def test_letter_rule(safe_method, no_messages, suppressed, allowed):
    reason = contact_check(
        channel=Channel.LETTER,
        safe_method=safe_method,
        no_messages=no_messages,
        address="Flat 2, 10 Mare Street",
        address_suppressed=suppressed,
    )
    assert (reason == "") is allowed
    if not allowed:
        assert reason.startswith("Not posted: ")


def test_no_messages_at_all_rules_out_every_channel():
    for channel in Channel:
        assert contact_check(channel=channel, safe_method="phone", no_messages=True, address="x")


# ---------------------------------------------------------------------------------------------------------
# Every message the service sends to an applicant, for one who ruled email out


def _phone_only_pages(*, no_messages="False", safe_times=""):
    return {
        **PAGES,
        "contact-method": {"safe_method": "phone"},
        "contact-phone": {"phone": "07700900982"},
        "contact-times": {"safe_times": safe_times},
        "no-messages": {"no_messages": no_messages},
    }


def test_an_applicant_who_said_phone_only_is_never_emailed_whatever_happens(
    client, mailbox, on_commit, officer
):
    # They first chose email and gave an address, then changed their mind: only a phone call is safe.
    client.post("/housing-help/apply/contact-method/", {"safe_method": "email"})
    client.post("/housing-help/apply/contact-email/", {"email": "sam@example.org"})
    client.post("/housing-help/apply/contact-method/?change=1", {"safe_method": "phone"})
    with on_commit(execute=True):
        response = _go(client, _phone_only_pages(safe_times="Phone only, no messages"))
        client.post(response.url)
    case = Case.objects.get()
    assert case.safe_method == "phone"
    # The address typed before is not kept: what is not asked is not kept or sent to.
    assert case.contact_email == ""
    assert "email" not in case.details["contact"]
    with on_commit(execute=True):
        services.case_assign(case=case, officer=officer, actor=officer)
        services.document_request_create(
            case=case, actor=officer, description="Your section 21 notice", due_on=case.created_at.date()
        )
        services.case_record_assessment(
            case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.THREATENED
        )
        services.case_move(case=case, actor=officer, to_stage=Stage.PREVENTION, reasons="The duty is owed.")
        services.letter_issue(case=case, actor=officer, kind="s184", reasons="We have decided.")

    assert [m for m in mailbox if "sam@example.org" in m.to] == []
    held = CaseMessage.objects.filter(case=case)
    assert {m.template.rsplit("/", 1)[-1] for m in held} == _applicant_templates()
    for message in held:
        assert message.held_reason == "Not emailed: the applicant said email is not safe (phone call only)"
        # The message is kept, as it would have been sent, so an officer can read it out by phone.
        assert message.notification.status == "held"
        assert message.notification.body

    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "Not emailed: the applicant said email is not safe (phone call only)" in page


def test_an_applicant_who_said_no_messages_at_all_is_not_emailed(client, mailbox, on_commit):
    pages = _phone_only_pages(no_messages="True")
    with on_commit(execute=True):
        response = _go(client, pages)
        client.post(response.url)
    case = Case.objects.get()
    assert case.no_messages
    assert mailbox == []
    (held,) = CaseMessage.objects.filter(case=case)
    assert held.held_reason == "Not emailed: the applicant said we must not send them any messages"


def test_the_safe_way_to_contact_decides_which_detail_is_asked_and_needed(client):
    """The contact questions are a page each; the cross-page check keeps the old one-page rule: a phone call
    or a text needs a number, email needs an address, and "nothing in writing" is asked only with a call."""
    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/contact-method/", {"safe_method": "phone"})
    answers = IntakeDraft.objects.get().answers
    pages = [s.slug for s in intake.applicable_steps(answers)]
    assert "contact-email" not in pages
    assert {"contact-phone", "no-messages"} <= set(pages)
    empty = client.post("/housing-help/apply/contact-phone/", {"phone": ""})
    assert "Enter the phone number we should call" in empty.content.decode()
    client.post("/housing-help/apply/contact-method/?change=1", {"safe_method": "text"})
    empty = client.post("/housing-help/apply/contact-phone/", {"phone": ""})
    assert "Enter the mobile number we should text" in empty.content.decode()
    assert "no-messages" not in [s.slug for s in intake.applicable_steps(IntakeDraft.objects.get().answers)]
    # With email, the number is optional and the address is asked on its own page.
    client.post("/housing-help/apply/contact-method/?change=1", {"safe_method": "email"})
    assert client.post("/housing-help/apply/contact-phone/", {"phone": ""}).status_code == 302
    empty = client.post("/housing-help/apply/contact-email/", {"email": ""})
    assert "Enter your email address" in empty.content.decode()
    client.post("/housing-help/apply/contact-email/", {"email": "sam@example.org"})
    assert intake.page_done(intake.STEP_BY_SLUG["contact-phone"], IntakeDraft.objects.get().answers)
    # Changing to a phone call later: the number left empty is now needed, so the page is asked again.
    client.post("/housing-help/apply/contact-method/?change=1", {"safe_method": "phone"})
    answers = IntakeDraft.objects.get().answers
    assert not intake.page_done(intake.STEP_BY_SLUG["contact-phone"], answers)
    unanswered = [
        s.slug
        for s in intake.applicable_steps(answers)
        if s.store == "contact" and not intake.page_done(s, answers)
    ]
    assert unanswered == ["contact-phone", "contact-times", "no-messages"]
    assert "email" not in answers["contact"]


def test_nothing_in_writing_is_asked_only_with_a_phone_call_and_dropped_if_they_change_it(client):
    client.post("/housing-help/apply/contact-method/", {"safe_method": "phone"})
    page = client.get("/housing-help/apply/no-messages/").content.decode()
    assert "Is it safe for us to send you a letter or message if we need to?" in page
    client.post("/housing-help/apply/no-messages/", {"no_messages": "True"})
    assert IntakeDraft.objects.get().answers["contact"]["no_messages"] is True
    check = check_rows(IntakeDraft.objects.get().answers)
    assert {"question": "Is it safe for us to send you a letter or message if we need to?"}.items() <= next(
        r for r in check if r["slug"] == "no-messages"
    ).items()
    assert next(r for r in check if r["slug"] == "no-messages")["answer"] == "No, only phone me"
    client.post("/housing-help/apply/contact-method/?change=1", {"safe_method": "email"})
    assert "no_messages" not in IntakeDraft.objects.get().answers["contact"]
    assert intake.case_fields_from_answers(IntakeDraft.objects.get().answers)["no_messages"] is False


def test_an_applicant_who_chose_email_is_emailed_and_the_case_page_says_so(client, mailbox, on_commit):
    with on_commit(execute=True):
        response = _go(client)
        client.post(response.url)
    case = Case.objects.get()
    assert [m.to for m in mailbox] == [["sam@example.org"]]
    (message,) = CaseMessage.objects.filter(case=case)
    assert message.held_reason == ""
    assert message.notification.status == "sent"


def test_a_referral_that_says_phone_only_is_held_like_an_intake(client, mailbox, on_commit, officer):
    from homelessness.demo import FORM_REFERRAL

    with on_commit(execute=True):
        client.post(
            "/housing-help/refer/", {**FORM_REFERRAL, "email": "chris@example.org", "safe_method": "phone"}
        )
    case = Case.objects.get()
    assert case.safe_method == "phone"
    with on_commit(execute=True):
        services.document_request_create(
            case=case, actor=officer, description="Your ID", due_on=case.created_at.date()
        )
    assert [m for m in mailbox if "chris@example.org" in m.to] == []
    (held,) = CaseMessage.objects.filter(case=case)
    assert held.held_reason == "Not emailed: the applicant said email is not safe (phone call only)"


def test_a_held_message_is_never_delivered_even_if_its_task_runs(client, on_commit, mailbox):
    from hackney_portal.core.notifications import notification_deliver

    with on_commit(execute=True):
        response = _go(client, _phone_only_pages())
        client.post(response.url)
    (message,) = CaseMessage.objects.all()
    notification_deliver(notification_id=message.notification_id)
    assert mailbox == []
    message.notification.refresh_from_db()
    assert message.notification.status == "held"


def test_a_resume_link_is_not_emailed_to_someone_who_said_email_is_not_safe(client, mailbox, on_commit):
    client.post("/housing-help/apply/who/", PAGES["who"])
    client.post("/housing-help/apply/contact-method/", {"safe_method": "phone"})
    with on_commit(execute=True):
        response = client.post("/housing-help/apply/saved/", {"email": "sam@example.org"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "You told us email is not a safe way to contact you" in body
    assert mailbox == []


# ---------------------------------------------------------------------------------------------------------
# One way out


def test_nothing_in_homelessness_sends_to_an_applicant_except_through_the_check():
    """Only `case_message_send` may hand a message to the raw sender, with these reviewed exceptions."""
    allowed = {
        ("services/common.py", "case_message_send"),
        # checked against the draft's contact answers
        ("services/intake.py", "intake_draft_send_resume_link"),
        ("services/referrals.py", "referral_submit"),  # to the referring body's work address
        ("services/decisions.py", "_tell_referrer_outcome"),  # the same, only with the person's consent
        ("services/scheduled.py", "deadline_reminders_send"),  # to staff
        ("services/scheduled.py", "unassigned_escalate"),  # to staff
        # to the restricted cases team, without case details
        ("services/intake.py", "_restricted_team_route"),
    }
    raw = {
        "notification_send",
        "notification_send_rendered",
        "send_mail",
        "EmailMessage",
        "EmailMultiAlternatives",
    }
    found = set()
    for path in HOMELESSNESS.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in raw:
                        found.add((path.relative_to(HOMELESSNESS).as_posix(), func.name))
    assert found - allowed == set()
    assert ("services/common.py", "case_message_send") in found


# ---------------------------------------------------------------------------------------------------------
# The referrer: told the outcome only with consent, and only when that cannot reveal the applicant


def _refer_and_close(client, on_commit, manager, *, how: str, **form):
    from homelessness.demo import FORM_REFERRAL
    from homelessness.rules import CloseReason

    data = {**FORM_REFERRAL, "consent_to_outcome": "on", **form}
    assert client.post("/housing-help/refer/", data).status_code == 302
    case = Case.objects.get()
    if how == "restricted":
        services.case_restrict(
            case=case, actor=manager, restriction=Case.Restriction.DOMESTIC_ABUSE, officers=[]
        )
    elif how == "address_suppressed":
        # Nothing but a restriction suppresses a referred person's address today; the flag alone is enough.
        Case.objects.filter(pk=case.pk).update(address_suppressed=True)
    with on_commit(execute=True):
        services.case_assign(case=case, officer=manager, actor=manager)
        services.case_move(
            case=case, actor=manager, to_stage=Stage.CLOSED, end_reason=CloseReason.ADVICE_ONLY
        )
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        (
            "restricted",
            "Not emailed to the referrer: the case is restricted (domestic abuse), and the outcome could "
            "tell someone where the applicant is",
        ),
        (
            "no_messages",
            "Not emailed to the referrer: the applicant said we must not send any messages about them",
        ),
        (
            "address_suppressed",
            "Not emailed to the referrer: the applicant's address is suppressed, and the outcome could "
            "tell someone where they are",
        ),
    ],
)
def test_the_referrer_is_not_told_the_outcome_when_that_could_reveal_the_applicant(
    client, mailbox, on_commit, manager, how, reason
):
    from django.utils.html import escape

    from hackney_portal.core.models import AuditEvent

    form = {"no_messages": "on"} if how == "no_messages" else {}
    case = _refer_and_close(client, on_commit, manager, how=how, **form)
    assert [m for m in mailbox if m.subject.startswith("Outcome of your referral")] == []
    # Held as a message to the applicant is: recorded as it would have gone, never delivered, audited.
    (held,) = CaseMessage.objects.filter(case=case, template="homelessness/email/referral_outcome")
    assert held.held_reason == reason
    assert held.notification.status == "held"
    assert held.notification.to == "pat@example.gov.uk"
    assert AuditEvent.objects.filter(
        action="homelessness.message.held",
        object_id=str(case.pk),
        data__template="referral_outcome",
        data__reason=reason,
    ).exists()
    assert case.referral.outcome_sent_on is None  # it was not sent
    staff_login(client, manager)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert escape(reason) in page


def test_the_referrer_is_told_the_outcome_when_the_person_agreed_and_nothing_rules_it_out(
    client, mailbox, on_commit, manager
):
    case = _refer_and_close(client, on_commit, manager, how="")
    (sent,) = [m for m in mailbox if m.subject.startswith("Outcome of your referral")]
    assert sent.to == ["pat@example.gov.uk"]
    (message,) = CaseMessage.objects.filter(case=case, template="homelessness/email/referral_outcome")
    assert (message.held_reason, message.notification.status) == ("", "sent")
    assert case.referral.outcome_sent_on is not None


def test_the_referrer_is_not_told_the_outcome_without_the_persons_consent(
    client, mailbox, on_commit, manager
):
    case = _refer_and_close(client, on_commit, manager, how="", consent_to_outcome="")
    assert [m for m in mailbox if m.subject.startswith("Outcome of your referral")] == []
    assert not CaseMessage.objects.filter(case=case, template="homelessness/email/referral_outcome").exists()
