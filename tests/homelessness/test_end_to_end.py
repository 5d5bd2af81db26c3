"""Issue 15's end-to-end test: a priority-need applicant applies online, and the clock moves (time-machine)
through prevention, the 56 days of relief and the main duty decision; each statutory letter is stored, shown
to the applicant and sent the way they said is safe; the quarter's H-CLIC return then validates with no
errors. Each rule checked on the way cites its section."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.models import Notification
from hackney_portal.frontend.forms import GovukDateField
from homelessness import hclic, intake, rules, services
from homelessness.models import Case, DecisionLetter
from homelessness.rules import AssessmentOutcome as AO
from homelessness.rules import Stage as S

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")

# What the applicant types, by field: each page gets the fields its form asks, whichever page asks them.
TYPED = {
    "who": "self",
    "safe_tonight": "yes",
    "risk": "no",
    "email": "amira@example.org",
    "phone": "07700900982",
    "safe_method": "email",
    "full_name": "Amira Khan",
    "date_of_birth": (14, 2, 1991),
    "sex": "female",
    "language": "English",
    "interpreter": "no",
    "add_person": "no",
    "accommodation": "private_rented",
    "notice_type": "section_21",
    "served_on": (1, 9, 2026),
    "leave_by": (15, 11, 2026),
    "last_address": "Flat 2, 10 Mare Street, London",
    "reason_loss": "private_ast_end",
    "nationality": "british_irish",
    "public_funds": "yes",
    "lived_here": "3_of_5",
    "work_here": "no",
    "family_here": "no",
    "support_needs": ["budgeting"],
    "income": ["wages", "universal_credit"],
    "employment": "part_time",
    "ethnicity": "white",
    "privacy": "on",
}


def _on(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=LONDON)


def _post_data(slug: str) -> dict:
    data = {}
    for name, field in intake.form_class(intake.STEP_BY_SLUG[slug]).base_fields.items():
        value = TYPED.get(name)
        if value is None:
            continue
        if isinstance(field, GovukDateField):
            data.update({f"{name}_{i}": str(part) for i, part in enumerate(value)})
        else:
            data[name] = value
    return data


def _apply(client) -> Case:
    """The intake over HTTP, page by page as the portal sends them, then check answers and send."""
    response = client.get("/housing-help/apply/")
    for _ in range(60):
        if response.url.endswith("/check-your-answers/"):
            break
        slug = response.url.rstrip("/").rsplit("/", 1)[-1]
        response = client.post(response.url, _post_data(slug))
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    sent = client.post("/housing-help/apply/check-your-answers/")
    assert sent.status_code == 302
    return Case.objects.get()


def test_priority_need_applicant_through_prevention_relief_for_56_days_and_the_main_duty(
    client, officer, mailbox, on_commit
):
    with time_machine.travel(_on(dt.date(2026, 10, 1)), tick=False) as clock, on_commit(execute=True):
        case = _apply(client)
        services.case_assign(case=case, officer=officer, actor=officer)
        # s.184, s.189A: eligible, threatened with homelessness by a valid notice, a child is expected.
        services.case_record_assessment(
            case=case,
            actor=officer,
            eligible=True,
            outcome=AO.THREATENED_BY_NOTICE,
            priority_need="pregnant",
            household_type="single_female",
        )
        # s.195(2): the prevention duty, accepted in writing with the plan (s.189A(3)).
        services.plan_step_add(
            case=case,
            actor=officer,
            owner="applicant",
            text="Ask the landlord for a reference",
            due_on=dt.date(2026, 10, 15),
        )
        case = services.case_accept_prevention_duty(
            case=case, actor=officer, reasons="A section 21 notice ends your tenancy on 15 November 2026."
        )
        assert case.duty_deadline == dt.date(2026, 11, 26)

        # The notice runs out and she has to leave: homeless, so prevention gives way to relief (s.195(8)(c),
        # s.189B(2)).
        clock.move_to(_on(dt.date(2026, 11, 16)))
        case = services.case_accept_relief_duty(
            case=case, actor=officer, reasons="You had to leave your home on 15 November 2026."
        )
        assert (case.prevention_end, case.relief_start) == (dt.date(2026, 11, 16), dt.date(2026, 11, 16))

        # s.189B(4): in priority need the relief duty runs its 56 days; on day 55 the main duty decision
        # cannot yet be made.
        clock.move_to(_on(dt.date(2027, 1, 10)))
        with pytest.raises(ApplicationError, match=r"s\.189B\(4\)"):
            services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
        clock.move_to(_on(dt.date(2027, 1, 11)))  # 56 days after the relief duty began
        case = services.case_move(case=case, actor=officer, to_stage=S.MAIN_DUTY_DECISION)
        assert (case.relief_end, case.relief_end_reason) == (dt.date(2027, 1, 11), "days_elapsed")

        # s.191: not intentionally homeless, so the main duty (s.193(2)) is owed.
        case = services.case_decide_intentionality(
            case=case, actor=officer, intentional=False, reasons="The tenancy ended through no act of yours."
        )
        clock.move_to(_on(dt.date(2027, 1, 12)))
        case = services.case_move(
            case=case, actor=officer, to_stage=S.MAIN_DUTY, reasons="You are pregnant and homeless."
        )
        assert case.stage == S.MAIN_DUTY
        assert case.main_duty_decided_on == dt.date(2027, 1, 12)

    # Every statutory letter is stored, in order, each dated the day it was decided.
    letters = list(case.letters.order_by("id"))
    assert [(x.kind, x.issued_on) for x in letters] == [
        (DecisionLetter.Kind.PREVENTION_ACCEPTED, dt.date(2026, 10, 1)),
        (DecisionLetter.Kind.RELIEF_ACCEPTED, dt.date(2026, 11, 16)),
        (DecisionLetter.Kind.INTENTIONALITY, dt.date(2027, 1, 11)),
        (DecisionLetter.Kind.MAIN_DUTY, dt.date(2027, 1, 12)),
    ]
    # s.184(3), s.202: each decision gives the 21-day review deadline from its own date.
    assert all(
        x.review_deadline == rules.letter_deadline(kind=x.kind, issued_on=x.issued_on) for x in letters
    )
    # Sent the way she said is safe (email), one email per letter, none held.
    sent = Notification.objects.filter(template="homelessness/email/letter", to="amira@example.org")
    assert sent.count() == len(letters)
    assert set(sent.values_list("status", flat=True)) == {"sent"}
    assert (
        sum("amira@example.org" in m.to for m in mailbox)
        == Notification.objects.filter(to="amira@example.org").count()
    )
    # Shown to her: the browser that sent the application sees the case and opens each letter.
    page = client.get(f"/housing-help/cases/{case.reference}/").content.decode()
    for x in letters:
        assert f"/letters/{x.pk}/" in page
        assert client.get(f"/housing-help/cases/{case.reference}/letters/{x.pk}/").status_code == 200

    # The return for each quarter the case touched, built after the quarter ends, has no errors.
    with time_machine.travel(_on(dt.date(2027, 4, 6)), tick=False):
        for year, quarter in ((2026, 3), (2026, 4)):
            export = hclic.hclic_export_generate(year=year, quarter=quarter, actor=officer)
            assert export.case_count == 1, (year, quarter)
            assert export.report == [], (year, quarter, export.report)
    q3, q4 = (hclic.build(2026, q) for q in (3, 4))
    root = ET.fromstring(q4["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    main = root.find("Main")[0]
    # The answers from the intake reach the return (nationality and work are kept under their page's group).
    assert (main.get("Nationality"), main.get("Employment"), main.get("Ethnicity")) == ("1", "2", "4")
    assert root.find("Prevention")[0].get("End") == "2026-11-16"
    assert root.find("Relief")[0].get("End") == "2027-01-11"
    assert root.find("FinalDuties")[0].get("Decision")
    assert re.search(r'PriorityNeed="\w+"', q4["case_xml"])
    assert q3["report"] == []
