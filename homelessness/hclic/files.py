"""Building a quarter's two XML files and its validation report."""

from __future__ import annotations

import datetime as dt
import hashlib

# We only write XML here, never parse input, so defusedxml is not needed.
import xml.etree.ElementTree as ET  # nosec B405
from collections import defaultdict

from django.conf import settings

from hackney_portal.core.hostile import xml_safe

from .. import rules
from ..models import Assessment, Case, HouseholdMember, Review, TemporaryAccommodation
from ..rules import Stage
from .quarters import CHUNK, SPEC_VERSION, _codes, quarter_bounds, reportable_cases


def _d(value) -> str:
    return value.isoformat() if value else ""


def _age(dob: dt.date | None, on: dt.date) -> str:
    if not dob:
        return ""
    return str(on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day)))


def build(year: int, quarter: int, *, pks: list[int] | None = None) -> dict:
    """Build the two files and the report, without saving anything (`pks`: only these cases)."""
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
    root = ET.Element("HCLIC", attrs)
    personal = ET.Element("HCLICPersonal", attrs)
    sections = {
        name: ET.SubElement(root, name)
        for name in (
            "Main",
            "People",
            "SupportNeeds",
            "Prevention",
            "Relief",
            "FinalDuties",
            "TemporaryAccommodation",
            "Reviews",
        )
    }
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

    if pks is None:
        pks = list(reportable_cases(start, end).values_list("pk", flat=True))
    for i in range(0, len(pks), CHUNK):
        chunk = pks[i : i + CHUNK]
        cases = list(
            Case.objects.filter(pk__in=chunk)
            .select_related("referral")
            .defer("safe_contact")  # not reported: no need to decrypt it
            .order_by("reference")
        )
        members = defaultdict(list)
        for m in HouseholdMember.objects.filter(case_id__in=chunk).order_by("case_id", "-is_applicant", "id"):
            members[m.case_id].append(m)
        placements = defaultdict(list)
        for p in TemporaryAccommodation.objects.filter(case_id__in=chunk).order_by(
            "case_id", "start_on", "id"
        ):
            placements[p.case_id].append(p)
        # s.189A: H-CLIC reports the initial assessment, not the latest review of it.
        initial = {
            a.case_id: a
            for a in Assessment.objects.filter(case_id__in=chunk, kind=Assessment.Kind.INITIAL).defer(
                "support_needs"
            )
        }
        reviews = defaultdict(list)
        for r in Review.objects.filter(case_id__in=chunk).order_by("case_id", "requested_on", "id"):
            reviews[r.case_id].append(r)
        for case in cases:
            count += 1
            problems: list[str] = []
            ref = case.reference
            referral = getattr(case, "referral", None)
            first = initial.get(case.pk)
            initial_outcome = first.outcome if first else case.assessment_outcome
            ET.SubElement(
                sections["Main"],
                "Case",
                {
                    "CaseRef": ref,
                    "AppDate": _d(case.created_at.date()),
                    "Route": case.route,
                    "DTRBody": referral.body if referral else "",
                    "AssessmentDate": _d(case.assessed_on),  # set once, at the initial assessment
                    "InitialAssessment": initial_outcome or "",
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
                },
            )
            if not initial_outcome:
                problems.append("Initial assessment outcome is missing")
            for n, m in enumerate(members[case.pk], start=1):
                ET.SubElement(
                    sections["People"],
                    "Person",
                    {
                        "CaseRef": ref,
                        "PersonId": str(n),
                        "Relationship": m.relationship,
                        "Age": _age(m.date_of_birth, case.assessed_on),
                        "Sex": m.sex,
                    },
                )
                ET.SubElement(
                    personal,
                    "Person",
                    {
                        "CaseRef": ref,
                        "PersonId": str(n),
                        "Name": m.name,
                        "DOB": _d(m.date_of_birth),
                        "Sex": m.sex,
                        "NINO": (
                            case.details.get("about", {}).get("ni_number", "") if m.is_applicant else ""
                        ),
                        "Address": ""
                        if case.address_suppressed or not m.is_applicant
                        else case.details.get("last-settled", {}).get("last_address", ""),
                    },
                )
            if not members[case.pk]:
                problems.append("No household members are recorded")
            for need in sorted(case.support_needs or []):
                ET.SubElement(
                    sections["SupportNeeds"],
                    "Need",
                    {"CaseRef": ref, "Code": coded("support_need", need, "Support need", problems)},
                )
            if case.prevention_start:
                ET.SubElement(
                    sections["Prevention"],
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
                    },
                )
            if case.relief_start:
                ET.SubElement(
                    sections["Relief"],
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
                    },
                )
            if case.main_duty_decided_on:
                decision = "main_duty" if case.main_duty_start else case.close_reason
                if not case.priority_need and case.main_duty_start:
                    problems.append("Priority need reason is missing for a main duty acceptance")
                ET.SubElement(
                    sections["FinalDuties"],
                    "Decision",
                    {
                        "CaseRef": ref,
                        "Date": _d(case.main_duty_decided_on),
                        "Decision": decision,
                        "PriorityNeed": case.priority_need,
                    },
                )
            if case.stage == Stage.CLOSED and case.prevention_start and not case.prevention_end:
                problems.append("The prevention duty has no end date")
            for p in placements[case.pk]:
                ET.SubElement(
                    sections["TemporaryAccommodation"],
                    "Placement",
                    {
                        "CaseRef": ref,
                        "Type": p.kind,
                        "Start": _d(p.start_on),
                        "End": _d(p.end_on),
                        "InArea": "1" if p.in_borough else "0",
                        "Children": str(p.children),
                    },
                )
            for r in reviews[case.pk]:
                ET.SubElement(
                    sections["Reviews"],
                    "Review",
                    {
                        "CaseRef": ref,
                        "Kind": r.kind,
                        "Requested": _d(r.requested_on),
                        "Decided": _d(r.decided_on),
                        "Outcome": r.outcome,
                    },
                )
            if problems:
                report.append({"case": ref, "problems": problems})
    for tree in (root, personal):
        # Names, addresses and codes can hold anything a row was given (an import, SQL, an old form):
        # only characters XML 1.0 allows are written, so the file is always well-formed.
        for element in tree.iter():
            element.attrib = {k: xml_safe(v) for k, v in element.attrib.items()}
            if element.text:
                element.text = xml_safe(element.text)
    ET.indent(root)
    ET.indent(personal)
    case_xml = ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
    personal_xml = ET.tostring(personal, encoding="unicode", xml_declaration=True) + "\n"
    digest = hashlib.sha256((case_xml + "\0" + personal_xml).encode()).hexdigest()
    return {
        "case_xml": case_xml,
        "personal_xml": personal_xml,
        "sha256": digest,
        "report": report,
        "case_count": count,
        "code_list_version": version,
    }
