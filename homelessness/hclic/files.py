"""Building a quarter's two XML files and its validation report."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
from collections import defaultdict

from django.conf import settings
from django.db.models.functions import TruncDate
from django.utils import timezone

from hackney_portal.core.hostile import xml_safe

from .. import rules
from ..intake import answer_of
from ..models import Assessment, Case, HouseholdMember, Review, TemporaryAccommodation
from ..rules import CloseReason, Stage
from .quarters import CHUNK, SPEC_VERSION, _codes, quarter_bounds, reportable_cases


def _d(value) -> str:
    return value.isoformat() if value else ""


def _age(dob: dt.date | None, on: dt.date) -> str:
    if not dob:
        return ""
    return str(on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day)))


SECTIONS = ("Main", "People", "SupportNeeds", "Prevention", "Relief", "FinalDuties", "TemporaryAccommodation")
SECTIONS += ("Reviews",)

# The columns of a case and of a household member the return reads (see `build_to`).
CASE_COLUMNS = ("pk", "reference", "app_date", "route", "assessed_on", "assessment_outcome", "details")
CASE_COLUMNS += ("accommodation_at_application", "reason_loss", "household_type", "notice_type")
CASE_COLUMNS += ("notice_served_on", "support_needs", "prevention_start", "prevention_end")
CASE_COLUMNS += ("prevention_end_reason", "prevention_activity", "relief_start", "relief_end")
CASE_COLUMNS += ("relief_end_reason", "relief_activity", "accommodation_secured", "main_duty_decided_on")
CASE_COLUMNS += ("main_duty_start", "close_reason", "priority_need", "stage", "address_suppressed")
MEMBER_COLUMNS = ("case_id", "name", "date_of_birth", "sex", "relationship", "is_applicant")


_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
)


# Codes, dates, numbers and most names need neither escaping nor cleaning: one match skips both.
_PLAIN = re.compile(r"[A-Za-z0-9 _.,:/-]*\Z")


def _attribute(value) -> str:
    if value.__class__ is str and _PLAIN.match(value):
        return value
    return xml_safe(value).translate(_ATTRIBUTE)


def _element(tag: str, attrs: dict[str, str]) -> str:
    """One empty element as a line, escaped as ElementTree escapes attributes (one serializer per element
    would cost as much as the rest of the return), with only the characters XML 1.0 allows (names, addresses
    and codes can hold anything a row was given: an import, SQL, an old form)."""
    try:
        # Most lines are codes, dates and references: one match over the whole line's values, not one a value.
        plain = _PLAIN.match("".join(attrs.values()))
    except TypeError:  # a value that is not text goes the careful way
        plain = None
    if plain:
        written = " ".join([f'{k}="{v}"' for k, v in attrs.items()])
    else:
        written = " ".join([f'{k}="{_attribute(v)}"' for k, v in attrs.items()])
    return f"<{tag} {written} />" if written else f"<{tag} />"


class _Section:
    """A section's lines, spooled to a temporary file so memory stays flat however many cases there are."""

    def __init__(self, name: str):
        self.name = name
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in write_into
        self.empty = True

    def add(self, tag: str, attrs: dict[str, str]) -> None:
        self.file.write("    " + _element(tag, attrs) + "\n")
        self.empty = False

    def write_into(self, out) -> None:
        if self.empty:
            out.write(f"  <{self.name} />\n")
        else:
            out.write(f"  <{self.name}>\n")
            self.file.seek(0)
            shutil.copyfileobj(self.file, out)
            out.write(f"  </{self.name}>\n")
        self.file.close()


class _Hashing:
    """A text file that also feeds what is written to a SHA-256."""

    def __init__(self, out, *digests):
        self.out, self.digests = out, digests

    def write(self, text: str) -> None:
        self.out.write(text)
        data = text.encode()
        for digest in self.digests:
            digest.update(data)


def build(year: int, quarter: int, *, pks: list[int] | None = None) -> dict:
    """Build the two files and the report in memory, without saving anything (`pks`: only these cases).
    For a whole borough's quarter use `build_to`, which streams the files."""
    case_out, personal_out = io.StringIO(), io.StringIO()
    built = build_to(case_out, personal_out, year, quarter, pks=pks)
    return {"case_xml": case_out.getvalue(), "personal_xml": personal_out.getvalue(), **built}


def build_to(case_out, personal_out, year: int, quarter: int, *, pks: list[int] | None = None) -> dict:
    """Write the case-level file to `case_out` and the personal-data file to `personal_out` (text files), a
    chunk of cases at a time, and return the report, the count, the code list version and the SHA-256 of
    both files together (the snapshot's identity)."""
    start, end = quarter_bounds(year, quarter)
    version, codes = _codes(end)
    la = settings.HOMELESSNESS_HCLIC_LA_CODE
    attrs = {
        "LA": la,
        "Year": str(year),
        "Quarter": str(quarter),
        "SpecVersion": SPEC_VERSION,
        "CodeListVersion": version,
    }
    sections = {name: _Section(name) for name in SECTIONS}
    digest = hashlib.sha256()
    personal_lines = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed below
    report: list[dict] = []
    count = 0

    def coded(name: str, code: str, label: str, problems: list[str]) -> str:
        if not code:
            problems.append(f"{label} is missing")
            return ""
        value = codes.get((name, code))
        if value is None:
            problems.append(f"{label} “{code}” is not in code list {name} version {version}")
            return ""
        return value

    def optional(name: str, code: str, label: str, problems: list[str]) -> str:
        """An item that may be unanswered (equality questions, a referral's partial record): blank then,
        but a value that is given must be in the code list."""
        return coded(name, code, label, problems) if code else ""

    def secured(case, duty: str, end_reason: str, problems: list[str]) -> str:
        """The accommodation secured, for a duty that ended because it was (and the duty's main activity)."""
        if end_reason != CloseReason.ACCOMMODATION_SECURED:
            return ""
        if not getattr(case, f"{duty}_activity"):
            problems.append(f"The main {duty} activity is missing for a duty that secured accommodation")
        label = f"Accommodation secured at the end of the {duty} duty"
        return coded("accommodation_secured", case.accommodation_secured, label, problems)

    if pks is None:
        pks = list(reportable_cases(start, end).values_list("pk", flat=True))
    for i in range(0, len(pks), CHUNK):
        chunk = pks[i : i + CHUNK]
        # Rows as named tuples of the columns the return reads, not model instances: building every case and
        # person as a model was a third of the run (profile in docs/performance.md).
        cases = (
            Case.objects.filter(pk__any=chunk)
            .order_by("reference")
            # The day the application was made in the council's time zone: midnight to 1 am in summer is
            # still the day before in UTC, and that day can be in the quarter before.
            .annotate(app_date=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
            .values_list(*CASE_COLUMNS, "referral__body", named=True)
        )
        members = defaultdict(list)
        for m in (
            HouseholdMember.objects.filter(case_id__any=chunk)
            .order_by("case_id", "-is_applicant", "id")
            .values_list(*MEMBER_COLUMNS, named=True)
        ):
            members[m.case_id].append(m)
        placements = defaultdict(list)
        for p in TemporaryAccommodation.objects.filter(case_id__any=chunk).order_by(
            "case_id", "start_on", "id"
        ):
            placements[p.case_id].append(p)
        # s.189A: H-CLIC reports the initial assessment, not the latest review of it.
        initial = dict(
            Assessment.objects.filter(case_id__any=chunk, kind=Assessment.Kind.INITIAL).values_list(
                "case_id", "outcome"
            )
        )
        reviews = defaultdict(list)
        for r in Review.objects.filter(case_id__any=chunk).order_by("case_id", "requested_on", "id"):
            reviews[r.case_id].append(r)
        for case in cases:
            count += 1
            problems: list[str] = []
            ref = case.reference
            referral_body = case.referral__body  # None when the case did not come by a referral
            initial_outcome = initial.get(case.pk, case.assessment_outcome)
            answers = case.details or {}
            income = [i for i in answers.get("income", {}).get("income", []) or [] if i]
            sections["Main"].add(
                "Case",
                {
                    "CaseRef": ref,
                    "AppDate": _d(case.app_date),
                    "Route": coded("route", case.route, "Route", problems),
                    "DTRBody": coded("dtr_body", referral_body, "Referring body", problems)
                    if referral_body is not None
                    else "",
                    "AssessmentDate": _d(case.assessed_on),  # set once, at the initial assessment
                    "InitialAssessment": optional(
                        "initial_assessment", initial_outcome, "Initial assessment outcome", problems
                    ),
                    "AccomAtApp": coded(
                        "accommodation",
                        case.accommodation_at_application,
                        "Accommodation at application",
                        problems,
                    ),
                    "ReasonLoss": coded(
                        "reason_loss", case.reason_loss, "Reason for loss of last settled home", problems
                    ),
                    "HouseholdType": coded("household_type", case.household_type, "Household type", problems),
                    "NoticeType": codes.get(("notice_type", case.notice_type), "")
                    if case.notice_type
                    else "",
                    "NoticeDate": _d(case.notice_served_on),
                    "Ethnicity": optional(
                        "ethnicity", answer_of(answers, "equality", "ethnicity"), "Ethnicity", problems
                    ),
                    "Nationality": optional(
                        "nationality",
                        answer_of(answers, "nationality", "nationality"),
                        "Nationality",
                        problems,
                    ),
                    "Employment": optional(
                        "employment",
                        answer_of(answers, "employment", "employment"),
                        "Employment status",
                        problems,
                    ),
                    "Benefits": " ".join(coded("benefit", i, "Income or benefit", problems) for i in income),
                },
            )
            if not initial_outcome:
                problems.append("Initial assessment outcome is missing")
            for n, m in enumerate(members[case.pk], start=1):
                sections["People"].add(
                    "Person",
                    {
                        "CaseRef": ref,
                        "PersonId": str(n),
                        "Relationship": optional("relationship", m.relationship, "Relationship", problems),
                        "Age": _age(m.date_of_birth, case.assessed_on),
                        "Sex": optional("sex", m.sex, "Sex", problems),
                    },
                )
                personal_lines.write(
                    "  "
                    + _element(
                        "Person",
                        {
                            "CaseRef": ref,
                            "PersonId": str(n),
                            "Name": m.name,
                            "DOB": _d(m.date_of_birth),
                            "Sex": codes.get(("sex", m.sex), ""),
                            "NINO": (answers.get("about", {}).get("ni_number", "") if m.is_applicant else ""),
                            "Address": ""
                            if case.address_suppressed or not m.is_applicant
                            else answers.get("last-settled", {}).get("last_address", ""),
                            # Where the applicant is staying now (none when suppressed or no fixed address).
                            "CurrentAddress": ""
                            if case.address_suppressed or not m.is_applicant
                            else answer_of(answers, "current-address", "current_address"),
                            "CurrentPostcode": ""
                            if case.address_suppressed or not m.is_applicant
                            else answer_of(answers, "current-address", "current_postcode"),
                        },
                    )
                    + "\n"
                )
            if not members[case.pk]:
                problems.append("No household members are recorded")
            for need in sorted(case.support_needs or []):
                sections["SupportNeeds"].add(
                    "Need",
                    {"CaseRef": ref, "Code": coded("support_need", need, "Support need", problems)},
                )
            if case.prevention_start:
                sections["Prevention"].add(
                    "Duty",
                    {
                        "CaseRef": ref,
                        "Start": _d(case.prevention_start),
                        "End": _d(case.prevention_end),
                        "EndReason": coded(
                            "prevention_end",
                            case.prevention_end_reason
                            or (rules.HCLIC_PREVENTION_END_HOMELESS if case.relief_start else ""),
                            "Reason the prevention duty ended",
                            problems,
                        )
                        if case.prevention_end
                        else "",
                        "MainActivity": optional(
                            "activity", case.prevention_activity, "Main prevention activity", problems
                        ),
                        "AccomSecured": secured(case, "prevention", case.prevention_end_reason, problems),
                    },
                )
            if case.relief_start:
                sections["Relief"].add(
                    "Duty",
                    {
                        "CaseRef": ref,
                        "Start": _d(case.relief_start),
                        "End": _d(case.relief_end),
                        "EndReason": coded(
                            "relief_end", case.relief_end_reason, "Reason the relief duty ended", problems
                        )
                        if case.relief_end
                        else "",
                        "MainActivity": optional(
                            "activity", case.relief_activity, "Main relief activity", problems
                        ),
                        "AccomSecured": secured(case, "relief", case.relief_end_reason, problems),
                    },
                )
            if case.main_duty_decided_on:
                decision = "main_duty" if case.main_duty_start else case.close_reason
                if not case.priority_need and case.main_duty_start:
                    problems.append("Priority need reason is missing for a main duty acceptance")
                sections["FinalDuties"].add(
                    "Decision",
                    {
                        "CaseRef": ref,
                        "Date": _d(case.main_duty_decided_on),
                        "Decision": coded("final_decision", decision, "Main duty decision", problems),
                        "PriorityNeed": optional(
                            "priority_need", case.priority_need, "Priority need", problems
                        ),
                    },
                )
            if case.stage == Stage.CLOSED and case.prevention_start and not case.prevention_end:
                problems.append("The prevention duty has no end date")
            for p in placements[case.pk]:
                sections["TemporaryAccommodation"].add(
                    "Placement",
                    {
                        "CaseRef": ref,
                        "Type": coded("placement_type", p.kind, "Temporary accommodation type", problems),
                        "Start": _d(p.start_on),
                        "End": _d(p.end_on),
                        "InArea": "1" if p.in_borough else "0",
                        "Children": str(p.children),
                    },
                )
            for r in reviews[case.pk]:
                sections["Reviews"].add(
                    "Review",
                    {
                        "CaseRef": ref,
                        "Kind": coded("review_kind", r.kind, "Kind of review", problems),
                        "Requested": _d(r.requested_on),
                        "Decided": _d(r.decided_on),
                        "Outcome": optional("review_outcome", r.outcome, "Review outcome", problems),
                    },
                )
            if problems:
                report.append({"case": ref, "problems": problems})
    header = _element("HCLIC", attrs)[: -len(" />")] + ">"
    case_digest, personal_digest = hashlib.sha256(), hashlib.sha256()
    out = _Hashing(case_out, digest, case_digest)
    out.write("<?xml version='1.0' encoding='utf-8'?>\n" + header + "\n")
    for section in sections.values():
        section.write_into(out)
    out.write("</HCLIC>\n")
    digest.update(b"\0")
    out = _Hashing(personal_out, digest, personal_digest)
    opening = _element("HCLICPersonal", attrs)
    if personal_lines.tell() == 0:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n" + opening + "\n")
    else:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n" + opening[: -len(" />")] + ">\n")
        personal_lines.seek(0)
        for line in personal_lines:
            out.write(line)
        out.write("</HCLICPersonal>\n")
    personal_lines.close()
    return {
        "sha256": digest.hexdigest(),
        # Each file's own, for whoever receives one file without the other (the department, an auditor).
        "case_sha256": case_digest.hexdigest(),
        "personal_sha256": personal_digest.hexdigest(),
        "report": report,
        "case_count": count,
        "code_list_version": version,
    }
