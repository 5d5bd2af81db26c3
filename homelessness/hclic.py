"""The H-CLIC quarterly return: case-level XML, a separate personal-data file, and a validation report.

Quarters are financial quarters (Q1 is April to June of the year given). A case is reported for a quarter
when it had an initial assessment and something reportable happened in the quarter: the assessment, a duty
starting or ending, a main duty decision, a temporary accommodation placement, or a review. Cases that
only reached triage (advice only) or referrals not yet assessed are not reported.

The output is deterministic: the same data gives byte-identical files, so a snapshot is stored once and a
re-generation that changes nothing returns it. The XML follows the sections of the government's
specification (main, people, support needs, prevention, relief, final duties, temporary accommodation,
reviews) joined by case reference; validate it against the department's XSD at submission.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

# We only write XML here, never parse input, so defusedxml is not needed.
import xml.etree.ElementTree as ET  # nosec B405
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.forms import ApplicationError
from hackney_portal.core.hostile import xml_safe

from . import rules
from .models import (
    Assessment,
    Case,
    Code,
    CodeList,
    HclicExport,
    HouseholdMember,
    Review,
    TemporaryAccommodation,
)
from .rules import Stage

CHUNK = 2000
# The department's specification this export follows, named in every file (the code lists carry their own
# version). Change it here, with the code lists, when the department issues a new one.
SPEC_VERSION = "H-CLIC data requirement v1.4.5; XSD v1.4"


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start_month = 4 + 3 * (quarter - 1)
    start_year = year + (start_month - 1) // 12
    start_month = (start_month - 1) % 12 + 1
    start = dt.date(start_year, start_month, 1)
    end_month = start_month + 3
    end = dt.date(start_year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def last_quarter(today: dt.date) -> dict:
    fy = today.year if today.month >= 4 else today.year - 1
    q = (today.month - 4) % 12 // 3 + 1
    q -= 1
    if q == 0:
        fy, q = fy - 1, 4
    return {"year": fy, "quarter": q}


def _codes(on: dt.date) -> tuple[str, dict[tuple[str, str], str]]:
    """Each list's version in force on the quarter's last day: {(list, code): H-CLIC value}."""
    lookup: dict[tuple[str, str], str] = {}
    versions = []
    for name in CodeList.objects.values_list("name", flat=True).distinct().order_by("name"):
        code_list = CodeList.objects.filter(name=name, valid_from__lte=on).order_by("-valid_from").first()
        if code_list is None:
            code_list = CodeList.objects.filter(name=name).order_by("valid_from").first()
        versions.append(code_list.version)
        for code, value in Code.objects.filter(code_list=code_list).values_list("code", "hclic_value"):
            lookup[(name, code)] = value
    return (max(versions) if versions else ""), lookup


def reportable_cases(start: dt.date, end: dt.date):
    in_q = lambda field: Q(**{f"{field}__gte": start, f"{field}__lte": end})  # noqa: E731
    return (
        Case.objects.filter(assessed_on__isnull=False, assessed_on__lte=end)
        .filter(
            in_q("assessed_on")
            | in_q("prevention_start")
            | in_q("prevention_end")
            | in_q("relief_start")
            | in_q("relief_end")
            | in_q("main_duty_decided_on")
            | in_q("closed_on")
            | Q(placements__start_on__lte=end, placements__end_on__isnull=True)
            | Q(placements__start_on__lte=end, placements__end_on__gte=start)
            | in_q("reviews__requested_on")
            | in_q("reviews__decided_on")
        )
        .distinct()
        .order_by("reference")
    )


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


# ET.indent writes one element a line and escapes newlines in attributes, so a person is one line. The
# snapshot is filtered as text, not parsed: an old snapshot that is not well-formed XML still downloads.
_PERSON_LINE = re.compile(r'^\s*<Person CaseRef="([^"]*)"')


def _person_refs(xml: str) -> set[str]:
    return {m.group(1) for line in xml.splitlines() if (m := _PERSON_LINE.match(line))}


def refs_withheld_from(export: HclicExport, *, hidden_refs: set[str]) -> set[str]:
    """The cases of this return whose people and problems this downloader may not see: restricted cases
    they are not named on, and cases deleted since (whether they were restricted is no longer known)."""
    refs = _person_refs(export.personal_xml) | {row["case"] for row in export.report}
    existing = set(Case.objects.filter(reference__in=refs).values_list("reference", flat=True))
    return (refs - existing) | (refs & hidden_refs)


def personal_xml_for(export: HclicExport, *, withheld: set[str]) -> str:
    """The personal-data file without the people of withheld cases. The case-level file (no names) still
    counts those cases: the department needs every case, and names only where the downloader may see them."""
    if not withheld:
        return export.personal_xml
    kept = []
    for line in export.personal_xml.splitlines(keepends=True):
        m = _PERSON_LINE.match(line)
        if m is None or m.group(1) not in withheld:
            kept.append(line)
    return "".join(kept)


def case_problems(case, *, today: dt.date | None = None) -> list[str]:
    """What H-CLIC would reject in this case today, in plain English, for the officer working on it: the
    same checks as the quarter's report, run on this case alone with the code lists in force now."""
    if case.assessed_on is None:
        return []  # not reported until assessed
    today = today or timezone.localdate()
    year = today.year if today.month >= 4 else today.year - 1
    quarter = (today.month - 4) % 12 // 3 + 1  # the financial quarter that contains today
    rows = build(year, quarter, pks=[case.pk])["report"]
    return [problem for row in rows for problem in row["problems"]]


def file_sha256(text: str) -> str:
    """The SHA-256 of one file of a return, as downloaded in full (UTF-8)."""
    return hashlib.sha256(text.encode()).hexdigest()


def quarter_unfinished(year: int, quarter: int, today: dt.date) -> bool:
    return today <= quarter_bounds(year, quarter)[1]


@transaction.atomic
def hclic_export_generate(
    *, year: int, quarter: int, actor, allow_unfinished: bool = False, today: dt.date | None = None
) -> HclicExport:
    """Freeze the quarter's return. Unchanged data returns the existing snapshot; a change adds a version.

    A quarter that has not ended yet is incomplete: it is built only when the person asks for it knowing
    that (`allow_unfinished`), for checking, never by accident."""
    today = today or timezone.localdate()
    if quarter_unfinished(year, quarter, today) and not allow_unfinished:
        end = quarter_bounds(year, quarter)[1]
        raise ApplicationError(
            f"Q{quarter} {year} does not end until {end:%-d %B %Y}: a return built now would be incomplete."
            " Tick the box to build it anyway, for checking only.",
            field="allow_unfinished",
        )
    built = build(year, quarter)
    latest = (
        HclicExport.objects.select_for_update()
        .filter(year=year, quarter=quarter)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.sha256 == built["sha256"]:
        return latest
    export = HclicExport.objects.create(
        year=year,
        quarter=quarter,
        version=(latest.version + 1) if latest else 1,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **built,
    )
    audit_log(
        actor=actor,
        action="homelessness.hclic.generated",
        obj=export,
        data={"cases": export.case_count, "problems": sum(len(r["problems"]) for r in export.report)},
    )
    return export
