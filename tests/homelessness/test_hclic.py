"""The H-CLIC return: the right cases, the right codes, frozen, and identical when built again."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from django.utils import timezone

from homelessness import hclic, services
from homelessness.models import Case, HclicExport
from homelessness.rules import AssessmentOutcome, CloseReason, Stage

pytestmark = pytest.mark.django_db
Q3_2026 = (2026, 3)  # October to December 2026
AFTER_Q3 = dt.date(2027, 1, 4)


def _assessed(make_case, officer, **kwargs):
    case = make_case(**kwargs)
    services.case_assign(case=case, officer=officer, actor=officer)
    return services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AssessmentOutcome.THREATENED_BY_NOTICE,
        household_type="single_female",
        reason_loss="private_ast_end",
        accommodation_at_application="private_rented",
        support_needs=["mental_health", "budgeting"],
    )


def _on(case, day):
    """Put a case's dates on `day` (the tests run on any date; the quarter is fixed)."""
    fields = {
        f: day
        for f in (
            "assessed_on",
            "prevention_start",
            "relief_start",
            "closed_on",
            "prevention_end",
            "main_duty_decided_on",
        )
        if getattr(case, f)
    }
    Case.objects.filter(pk=case.pk).update(**fields)


def test_quarters_are_financial_quarters():
    assert hclic.quarter_bounds(2026, 1) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert hclic.quarter_bounds(2026, 3) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert hclic.quarter_bounds(2026, 4) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert hclic.last_quarter(dt.date(2026, 11, 24)) == {"year": 2026, "quarter": 2}
    assert hclic.last_quarter(dt.date(2026, 5, 1)) == {"year": 2025, "quarter": 4}


def test_export_includes_exactly_the_cases_to_report_with_their_codes(make_case, officer):
    in_q = _assessed(make_case, officer, name="In Quarter")
    in_q = services.case_move(
        case=in_q, actor=officer, to_stage=Stage.PREVENTION, reasons="The duty is owed."
    )
    _on(in_q, dt.date(2026, 11, 2))
    before = _assessed(make_case, officer, name="Earlier")
    _on(before, dt.date(2026, 5, 5))  # assessed in Q1, nothing since
    advice = make_case(name="Advice Only")
    services.case_assign(case=advice, officer=officer, actor=officer)
    services.case_move(case=advice, actor=officer, to_stage=Stage.CLOSED, end_reason=CloseReason.ADVICE_ONLY)
    Case.objects.filter(pk=advice.pk).update(closed_on=dt.date(2026, 11, 3))
    make_case(name="Not yet triaged")

    built = hclic.build(*Q3_2026)
    root = ET.fromstring(built["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    refs = [c.get("CaseRef") for c in root.find("Main")]
    assert refs == [in_q.reference]
    main = root.find("Main")[0]
    assert main.get("ReasonLoss") == "2"  # end of an assured shorthold tenancy
    assert main.get("AccomAtApp") == "1"
    assert main.get("HouseholdType") == "2"
    assert main.get("InitialAssessment") == "2"  # threatened: a valid section 21 notice
    assert main.get("Route") == "1"  # applied themselves
    assert sorted(n.get("Code") for n in root.find("SupportNeeds")) == ["22", "8"]
    assert root.find("Prevention")[0].get("Start") == "2026-11-02"
    # Personal identifiers only in the separate file.
    assert "In Quarter" not in built["case_xml"]
    assert "In Quarter" in built["personal_xml"]
    assert built["report"] == []


def test_the_validation_report_lists_what_is_missing_per_case_in_plain_english(make_case, officer):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.HOMELESS
    )
    Case.objects.filter(pk=case.pk).update(
        household_type="", reason_loss="martian_invasion", assessed_on=dt.date(2026, 10, 9)
    )
    (row,) = hclic.build(*Q3_2026)["report"]
    assert row["case"] == case.reference
    assert "Household type is missing" in row["problems"]
    assert any("martian_invasion" in p and "not in code list" in p for p in row["problems"])


def test_a_snapshot_is_frozen_and_unchanged_when_generated_again(make_case, officer):
    case = _assessed(make_case, officer)
    _on(case, dt.date(2026, 10, 15))
    first = hclic.hclic_export_generate(year=2026, quarter=3, actor=officer, today=AFTER_Q3)
    again = hclic.hclic_export_generate(year=2026, quarter=3, actor=officer, today=AFTER_Q3)
    assert again.pk == first.pk
    assert hclic.build(2026, 3)["case_xml"] == first.text("case")  # byte-identical
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        HclicExport.objects.filter(pk=first.pk).update(case_file="homelessness/hclic/tampered.xml")
    # A change to the data makes a new version; the old one stays as it was.
    Case.objects.filter(pk=case.pk).update(household_type="couple_children")
    second = hclic.hclic_export_generate(year=2026, quarter=3, actor=officer, today=AFTER_Q3)
    assert (second.version, first.version) == (2, 1)
    assert HclicExport.objects.get(pk=first.pk).text("case") == first.text("case")
    assert second.case_file.name != first.case_file.name


def test_admin_builds_and_downloads_the_return(make_case, make_staff, manager, officer, client):
    from hackney_portal.users import roles
    from tests.conftest import staff_login

    # Only the statutory returns group builds the return (issue 13): a housing manager no longer does.
    returns = make_staff("returns@example.org", roles.STATUTORY_RETURNS)

    case = _assessed(make_case, officer)
    _on(case, dt.date(2026, 10, 15))
    staff_login(client, officer)
    assert (
        client.post("/admin/homelessness/hclicexport/generate/", {"year": 2026, "quarter": 3}).status_code
        == 403
    )
    staff_login(client, manager)
    assert (
        client.post("/admin/homelessness/hclicexport/generate/", {"year": 2026, "quarter": 3}).status_code
        == 403
    )
    staff_login(client, returns)
    response = client.post(
        "/admin/homelessness/hclicexport/generate/", {"year": 2026, "quarter": 3, "allow_unfinished": "on"}
    )
    export = HclicExport.objects.get()
    assert response.url == f"/admin/homelessness/hclicexport/{export.pk}/file/report/"
    xml = client.get(f"/admin/homelessness/hclicexport/{export.pk}/file/case/")
    assert xml["Content-Type"].startswith("application/xml")
    assert case.reference.encode() in b"".join(xml.streaming_content)


def test_a_quarter_not_yet_ended_is_built_only_with_a_clear_warning(make_case, make_staff, officer, client):
    from hackney_portal.core.exceptions import ApplicationError
    from hackney_portal.users import roles
    from tests.conftest import staff_login

    case = _assessed(make_case, officer)
    _on(case, dt.date(2026, 10, 15))
    with pytest.raises(ApplicationError, match="does not end until 31 December 2026"):
        hclic.hclic_export_generate(year=2026, quarter=3, actor=officer, today=dt.date(2026, 12, 31))
    assert not HclicExport.objects.exists()
    returns = make_staff("returns@example.org", roles.STATUTORY_RETURNS)
    staff_login(client, returns)
    url = "/admin/homelessness/hclicexport/generate/"
    year = timezone.localdate().year if timezone.localdate().month >= 4 else timezone.localdate().year - 1
    current = (timezone.localdate().month - 4) % 12 // 3 + 1
    response = client.post(url, {"year": year, "quarter": current})
    assert response.status_code == 200
    assert "would be incomplete" in response.content.decode()
    assert not HclicExport.objects.exists()
    assert client.post(url, {"year": year, "quarter": current, "allow_unfinished": "on"}).status_code == 302
    assert HclicExport.objects.count() == 1


def test_each_file_names_the_specification_and_has_its_own_sha256(make_case, make_staff, officer, client):
    import hashlib

    from hackney_portal.users import roles
    from tests.conftest import staff_login

    case = _assessed(make_case, officer)
    _on(case, dt.date(2026, 10, 15))
    export = hclic.hclic_export_generate(year=2026, quarter=3, actor=officer, today=AFTER_Q3)
    assert f'SpecVersion="{hclic.SPEC_VERSION}"' in export.text("case")
    assert f'SpecVersion="{hclic.SPEC_VERSION}"' in export.text("personal")
    returns = make_staff("returns@example.org", roles.STATUTORY_RETURNS)
    staff_login(client, returns)
    report = client.get(f"/admin/homelessness/hclicexport/{export.pk}/file/report/").content.decode()
    for which in ("case", "personal"):
        body = b"".join(
            client.get(f"/admin/homelessness/hclicexport/{export.pk}/file/{which}/").streaming_content
        )
        assert hashlib.sha256(body).hexdigest() in report


def test_the_officer_sees_what_hclic_will_reject_on_the_case_page_as_they_work(make_case, officer, client):
    from tests.conftest import staff_login

    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "H-CLIC return will reject" not in page  # not reported until assessed
    services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.HOMELESS
    )
    assert "Household type is missing" in hclic.case_problems(Case.objects.get(pk=case.pk))
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "H-CLIC return will reject this case" in page
    assert "Household type is missing" in page
    services.case_record_assessment(
        case=case,
        actor=officer,
        eligible=True,
        outcome=AssessmentOutcome.HOMELESS,
        household_type="single_female",
        reason_loss="family_friends",
        accommodation_at_application="private_rented",
    )
    assert hclic.case_problems(Case.objects.get(pk=case.pk)) == []
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "H-CLIC return will reject" not in page


def test_case_problems_use_the_quarter_containing_today_at_its_edges(make_case, officer):
    case = make_case()
    services.case_assign(case=case, officer=officer, actor=officer)
    services.case_record_assessment(
        case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.HOMELESS
    )
    case = Case.objects.get(pk=case.pk)
    for day in (dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 3, 31), dt.date(2026, 4, 1)):
        assert "Household type is missing" in hclic.case_problems(case, today=day)


def test_every_item_is_a_department_code_with_the_specification_named(make_case, officer):
    """15.11: no item of the return carries our own words; each goes through a versioned code list."""
    case = _assessed(make_case, officer, name="Coded Person")
    case = services.case_accept_prevention_duty(case=case, actor=officer, reasons="Section 21 notice.")
    services.placement_add(
        case=case, actor=officer, kind="bnb", start_on=dt.date(2026, 11, 3), in_borough=True, children=0
    )
    Case.objects.filter(pk=case.pk).update(
        details={
            **Case.objects.get(pk=case.pk).details,
            # As the intake keeps them: each split page's answers under the page it was split from.
            "equality": {"ethnicity": "prefer_not"},
            "eligibility": {"nationality": "british_irish"},
            "income": {"income": ["wages", "housing_benefit"], "employment": "part_time"},
        }
    )
    _on(Case.objects.get(pk=case.pk), dt.date(2026, 11, 2))
    built = hclic.build(*Q3_2026)
    assert built["report"] == []
    root = ET.fromstring(built["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    assert root.get("SpecVersion") == hclic.SPEC_VERSION
    assert root.get("CodeListVersion") == "2026.1"
    main = root.find("Main")[0]
    assert (main.get("Route"), main.get("InitialAssessment")) == ("1", "2")
    assert (main.get("Ethnicity"), main.get("Nationality"), main.get("Employment")) == ("9", "1", "2")
    assert main.get("Benefits") == "1 3"
    person = root.find("People")[0]
    assert (person.get("Relationship"), person.get("Sex")) == ("1", "2")  # the applicant, female
    assert root.find("TemporaryAccommodation")[0].get("Type") == "1"  # bed and breakfast
    internal = {"self", "behalf", "threatened_notice", "female", "applicant", "bnb", "prefer_not", "wages"}
    coded = [v for element in root.iter() for k, v in element.attrib.items() if k not in ("CaseRef", "LA")]
    assert not internal & set(" ".join(coded).split())


def test_a_value_missing_from_its_code_list_is_reported_not_exported(make_case, officer):
    case = _assessed(make_case, officer, name="Odd Value")
    _on(case, dt.date(2026, 11, 2))
    Case.objects.filter(pk=case.pk).update(route="carrier_pigeon")
    built = hclic.build(*Q3_2026)
    root = ET.fromstring(built["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    assert root.find("Main")[0].get("Route") == ""
    assert "carrier_pigeon" not in built["case_xml"]
    (row,) = built["report"]
    assert any("Route “carrier_pigeon” is not in code list route" in p for p in row["problems"])


def test_the_return_streams_to_files_identical_to_the_built_one(make_case, officer, tmp_path):
    """15.13: the files are written a chunk of cases at a time (flat memory); what is written is exactly
    the return, and its SHA-256 is the snapshot's."""
    import hashlib

    for name in ("Ann Example", "Bo <Hostile> & \x01Name"):
        case = _assessed(make_case, officer, name=name)
        case = services.case_move(case=case, actor=officer, to_stage=Stage.PREVENTION, reasons="Notice.")
        _on(case, dt.date(2026, 11, 2))
    in_memory = hclic.build(*Q3_2026)
    with (tmp_path / "case.xml").open("w") as case_out, (tmp_path / "personal.xml").open("w") as personal_out:
        streamed = hclic.build_to(case_out, personal_out, *Q3_2026)
    case_xml, personal_xml = (tmp_path / "case.xml").read_text(), (tmp_path / "personal.xml").read_text()
    assert (case_xml, personal_xml) == (in_memory["case_xml"], in_memory["personal_xml"])
    assert streamed["sha256"] == in_memory["sha256"]
    assert streamed["sha256"] == hashlib.sha256((case_xml + "\0" + personal_xml).encode()).hexdigest()
    assert streamed["case_count"] == 2
    # Well-formed, one person a line, and the hostile name escaped.
    people = ET.fromstring(personal_xml.split("\n", 1)[1])  # noqa: S314 - our own output
    assert sorted(p.get("Name") for p in people) == ["Ann Example", "Bo <Hostile> & Name"]
    assert len([line for line in personal_xml.splitlines() if "<Person " in line]) == 2
    empty = hclic.build(2025, 1)
    assert empty["case_count"] == 0
    assert "<Main />" in empty["case_xml"]
    assert ET.fromstring(empty["personal_xml"].split("\n", 1)[1]).tag == "HCLICPersonal"  # noqa: S314


@pytest.mark.parametrize(
    "value", ["plain", 'a "b" & <c>\nd\te\rf', "\x01\x7f é ☃ \ud800", "'single'", "", "]]> --> <!--"]
)
def test_each_line_is_escaped_exactly_as_elementtree_escapes_it(value):
    from hackney_portal.core.hostile import xml_safe
    from homelessness.hclic.files import _element

    expected = ET.tostring(
        ET.Element("Person", {"CaseRef": "X", "Name": xml_safe(value)}), encoding="unicode"
    )
    assert _element("Person", {"CaseRef": "X", "Name": value}) == expected


def test_a_return_is_two_encrypted_files_in_storage_each_with_its_sha256(make_case, officer, s3_bucket):
    import hashlib

    s3, bucket = s3_bucket
    case = _assessed(make_case, officer)
    _on(case, dt.date(2026, 10, 15))
    export = hclic.hclic_export_generate(year=2026, quarter=3, actor=officer, today=AFTER_Q3)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))
    assert keys == sorted(f"private/{f.name}" for f in (export.case_file, export.personal_file))
    for which, field in (("case", export.case_file), ("personal", export.personal_file)):
        raw = s3.get_object(Bucket=bucket, Key=f"private/{field.name}")["Body"].read()
        assert case.reference.encode() not in raw  # ciphertext at rest: the personal file names people
        text = export.text(which)
        assert case.reference in text
        assert hashlib.sha256(text.encode()).hexdigest() == getattr(export, f"{which}_sha256")
    both = export.text("case") + "\0" + export.text("personal")
    assert hashlib.sha256(both.encode()).hexdigest() == export.sha256
    # Nothing of the return is left in a database column.
    assert {f.name for f in HclicExport._meta.get_fields()}.isdisjoint({"case_xml", "personal_xml"})


def test_the_officer_records_the_applicants_missing_details_from_the_case_page(make_case, officer, client):
    from hackney_portal.core.models import AuditEvent
    from homelessness.intake import answer_of
    from tests.conftest import staff_login

    case = _assessed(make_case, officer)
    # As a referral or a paper form leaves them: no sex on the applicant, no nationality or work answers.
    case.members.filter(is_applicant=True).update(sex="")
    details = {k: v for k, v in case.details.items() if k not in ("eligibility", "nationality", "income")}
    Case.objects.filter(pk=case.pk).update(details=details)
    case = Case.objects.get(pk=case.pk)
    gaps = hclic.checks.applicant_gaps(case)
    assert any("sex is not recorded" in g for g in gaps)
    assert any("nationality" in g for g in gaps)
    staff_login(client, officer)
    page = client.get(f"/admin/homelessness/case/{case.pk}/change/").content.decode()
    assert "Record the applicant’s details for H-CLIC" in page
    url = f"/admin/homelessness/case/{case.pk}/act/applicant/"
    # Nothing chosen is an error on the form, not a 500, and changes nothing.
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"date_of_birth": "2999-01-01"}).status_code == 400
    response = client.post(url, {"sex": "female", "nationality": "british_irish", "employment": "part_time"})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert hclic.checks.applicant_gaps(case) == []
    assert case.members.get(is_applicant=True).sex == "female"
    assert answer_of(case.details, "nationality", "nationality") == "british_irish"
    event = AuditEvent.objects.filter(action="homelessness.case.applicant_details").get()
    assert event.data == {"recorded": ["employment", "nationality", "sex"]}  # which, never the values


def test_a_referred_case_names_its_referring_body_and_a_self_applicant_none(make_case, officer):
    """s.213B: a Duty to Refer case carries the referring body's code (DTRBody); anyone else an empty one."""
    from homelessness.models import Referral

    referred = _assessed(make_case, officer, name="Referred")
    Case.objects.filter(pk=referred.pk).update(route="duty_to_refer")
    Referral.objects.create(
        case=referred,
        body=Referral.Body.PROBATION,
        organisation="Probation",
        referrer_name="R",
        referrer_email="r@example.org",
        consent_to_referral=True,
        consent_to_share_contact=True,
        consent_to_outcome=True,
    )
    _on(referred, dt.date(2026, 10, 5))
    own = _assessed(make_case, officer, name="Own")
    _on(own, dt.date(2026, 10, 6))
    root = ET.fromstring(hclic.build(*Q3_2026)["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    rows = {c.get("CaseRef"): c for c in root.find("Main")}
    assert rows[referred.reference].get("Route") == "3"
    assert rows[referred.reference].get("DTRBody") == "6"
    assert rows[own.reference].get("DTRBody") == ""


def test_the_application_date_is_the_day_in_london_not_in_utc(make_case, officer):
    """An application made at half past midnight on 1 July (British Summer Time) was made on 1 July, in
    the quarter from July, although it is still 30 June in UTC."""
    case = _assessed(make_case, officer, name="Early Bird")
    case = services.case_move(case=case, actor=officer, to_stage=Stage.PREVENTION, reasons="Notice.")
    _on(case, dt.date(2026, 7, 2))
    Case.objects.filter(pk=case.pk).update(created_at=dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC))
    built = hclic.build(2026, 2)
    root = ET.fromstring(built["case_xml"].split("\n", 1)[1])  # noqa: S314 - our own output
    assert root.find("Main")[0].get("AppDate") == "2026-07-01"
