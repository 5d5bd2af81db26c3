"""Object-level access, URL by URL: what one person owns, another cannot reach by changing an id, and every
refusal is logged. The tables below are checked against the URL configuration, so a new URL that takes an
id or a token fails here until someone decides who may open it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from hackney_portal.core.models import AuditEvent, Notification
from hackney_portal.core.notifications import notification_send_rendered
from hackney_portal.users import roles
from homelessness import services as housing
from homelessness.admin.actions import ACTIONS as CASE_ACTIONS
from payments import services as rent
from tests.conftest import make_user, staff_login
from tests.employment.conftest import pdf_bytes
from tests.employment.test_search import listing
from tests.payments.conftest import start_payment

pytestmark = pytest.mark.django_db


@dataclass
class World:
    owner: object
    owner_client: Client
    ids: dict


@pytest.fixture
def world(resident, make_case, make_staff, account) -> World:
    """One resident with one of everything a resident can own, made the way the pages make them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    officer = make_staff("officer@example.org", roles.HOUSING_OFFICERS)
    client = Client()
    client.force_login(resident)
    # Found by number and postcode in this browser, then linked, as the start page does.
    found = client.post(
        reverse("payments:start"), {"reference": account.reference, "postcode": account.postcode}
    )
    assert found.status_code == 302, found.content.decode()[:2000]
    rent.account_link(user=resident, account=account, actor=resident)
    payment = start_payment(account, user=resident)
    case = make_case(actor=resident)
    step = housing.plan_step_add(
        case=case, actor=officer, owner="applicant", text="Bring your tenancy", due_on=case.created_at.date()
    )
    letter = housing.letter_issue(
        case=case, actor=officer, kind="s184", decision="not_homeless", reasons="Reasons."
    )
    job = listing("Chef")
    applied = client.post(
        reverse("employment:apply", args=[job.pk]),
        {
            "name": "Rita Resident",
            "email": resident.email,
            "phone": "",
            "statement": "I cook",
            "lives_in_borough": "on",
            "cv": SimpleUploadedFile("cv.pdf", pdf_bytes(), content_type="application/pdf"),
        },
    )
    assert applied.status_code == 302, applied.content.decode()[:2000]
    return World(
        owner=resident,
        owner_client=client,
        ids={
            "account": [account.pk],
            "payment": [payment.reference],
            "case": [case.reference],
            "step": [case.reference, step.pk],
            "letter": [case.reference, letter.pk],
            "job": [job.pk],
        },
    )


# Every URL that names something a resident owns: (method, which ids, what the owner gets).
OWNED = {
    "payments:found": ("GET", "account", 200),
    "payments:account": ("GET", "account", 200),
    "payments:statement": ("GET", "account", 200),
    "payments:pay": ("GET", "account", 200),
    "payments:link": ("POST", "account", 302),
    "payments:unlink": ("POST", "account", 302),
    "payments:card": ("GET", "payment", 200),
    "payments:status": ("GET", "payment", 200),
    "homelessness:case": ("GET", "case", 200),
    "homelessness:done": ("GET", "case", 200),
    "homelessness:plan_step": ("POST", "step", 302),
    "homelessness:letter": ("GET", "letter", 200),
    "homelessness:letter_pdf": ("GET", "letter", 200),
    "employment:applied": ("GET", "job", 200),
}

# URLs whose argument is a signed token: only the person it was emailed to can open it.
TOKENS = {
    "homelessness:resume": "a signed link to an unfinished intake",
    "homelessness:status_link": "a signed link to one case's status",
    "employment:alert_confirm": "a random token for one saved search",
    "employment:alert_unsubscribe": "a random token for one saved search",
}

# URLs naming an employer's own listing or an application to it: another employer gets 404 (tested in
# tests/employment/test_employer_applications.py).
EMPLOYER_OWNED = {
    "employment:employer_edit": "an employer's own listing",
    "employment:employer_applications": "the applications to an employer's own listing",
    "employment:employer_application": "one application to an employer's own listing",
    "employment:employer_application_cv": "the CV with one application to an employer's own listing",
}

# URLs with an argument that names nothing personal.
PUBLIC = {
    "employment:detail": "a published listing",
    "employment:apply": "the form for a published listing",
    "employment:save": "adds a published listing to the signed-in person's own list",
    "homelessness:step": "a question of the intake, answered into this browser's own draft",
    "homelessness:person_remove": "an index into this browser's own draft household",
    "homelessness:person_page": "a question about a person in this browser's own draft household",
}


def _named_patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.extend(_named_patterns(entry, ns))
        elif entry.name:
            found.append((f"{namespace}{entry.name}", entry))
    return found


def test_every_url_with_an_id_or_token_is_in_the_access_tables():
    skip = ("admin:", "account_", "mfa_", "socialaccount_", "openid")
    with_args = {
        name
        for name, pattern in _named_patterns(get_resolver())
        if pattern.pattern.converters and not name.startswith(skip)
    }
    with_args = {
        n for n in with_args if n.split(":")[0] in {"payments", "homelessness", "employment", "core"}
    }
    assert with_args, "the URL walk found nothing: the check itself is broken"
    unclassified = with_args - OWNED.keys() - TOKENS.keys() - PUBLIC.keys() - EMPLOYER_OWNED.keys()
    assert not unclassified, f"decide who may open these and add them to a table: {sorted(unclassified)}"


def _refusals(caplog, url_name: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "hackney_portal.security"
        and r.getMessage() == "access refused"
        and r.url_name == url_name
    ]


def _route(url: str) -> str:
    """What the refusal log records for a URL: its route pattern, as the request log does."""
    return f"/{resolve(url).route}"


@pytest.mark.parametrize("url_name", sorted(OWNED))
def test_another_resident_gets_404_and_the_refusal_is_logged(url_name, world, other_resident, caplog):
    method, key, owner_status = OWNED[url_name]
    url = reverse(url_name, args=world.ids[key])
    data = {"done": "1"} if method == "POST" else None

    intruder = Client()
    intruder.force_login(other_resident)
    caplog.set_level(logging.WARNING, logger="hackney_portal.security")
    response = getattr(intruder, method.lower())(url, data)
    assert response.status_code in (403, 404), url
    [record] = _refusals(caplog, url_name)
    assert record.user_id == other_resident.pk
    # The log names the route, never the path (which may carry a token): docs/security.md, item 10.
    assert record.path == _route(url)

    # A visitor who is not signed in is sent to sign in, or refused.
    anonymous = getattr(Client(), method.lower())(url, data)
    assert anonymous.status_code in (403, 404) or "/accounts/login/" in anonymous.get("Location", ""), url

    # The same URL works for its owner, so the refusals above are about who asked, not a broken URL.
    assert getattr(world.owner_client, method.lower())(url, data).status_code == owner_status, url


def test_lists_of_ones_own_things_show_nothing_of_anyone_elses(world, other_resident):
    from payments.models import RentAccount

    account = RentAccount.objects.get(pk=world.ids["account"][0])
    intruder = Client()
    intruder.force_login(other_resident)
    # The reference itself is the form's example number, so the address stands for the account.
    owner_marks = [account.address, world.ids["payment"][0], world.ids["case"][0], "Chef"]
    for name in ["payments:start", "payments:history", "payments:reminders", "homelessness:my_cases"]:
        page = intruder.get(reverse(name))
        assert page.status_code == 200, name
        assert not [m for m in owner_marks if m in page.content.decode()], name
    assert world.ids["case"][0] in world.owner_client.get(reverse("homelessness:my_cases")).content.decode()
    world.owner_client.post(reverse("employment:save", args=world.ids["job"]), {"saved": "1"})
    assert "Chef" in world.owner_client.get(reverse("employment:saved")).content.decode()
    assert "Chef" not in intruder.get(reverse("employment:saved")).content.decode()


def test_tokens_cannot_be_forged_or_moved_to_another_record(make_case, caplog):
    from employment import services as jobs
    from employment.models import SavedSearch

    mine, theirs = make_case(), make_case(name="Someone Else")
    token = housing.case_status_token(mine)
    assert Client().get(reverse("homelessness:status_link", args=[token])).status_code == 302
    caplog.set_level(logging.WARNING, logger="hackney_portal.security")
    payload, stamp, signature = token.split(":")
    # Another case's reference under this case's signature; this case's with one signature byte changed.
    moved = f"{housing.case_status_token(theirs).split(':')[0]}:{stamp}:{signature}"
    flipped = f"{payload}:{stamp}:{signature[:5]}{'B' if signature[5] == 'A' else 'A'}{signature[6:]}"
    for bad in [moved, flipped, "x"]:
        assert Client().get(reverse("homelessness:status_link", args=[bad])).status_code == 404
        assert Client().get(reverse("homelessness:resume", args=[bad])).status_code == 404
    jobs.saved_search_create(query="q=chef", email="al@example.org", frequency="daily", actor=None)
    search = SavedSearch.objects.get()
    for name in ["employment:alert_confirm", "employment:alert_unsubscribe"]:
        assert Client().get(reverse(name, args=[search.token[:-2] + "zz"])).status_code == 404
    assert len(_refusals(caplog, "homelessness:status_link")) == 3
    assert len(_refusals(caplog, "employment:alert_unsubscribe")) == 1


# Which staff groups may open each model's pages in the back office. Anything registered in the admin
# must be listed: a model nobody decided about fails the test below.
SUPERUSER_ONLY: set[str] = set()
ADMIN_POLICY = {
    "payments.rentaccount": {roles.FINANCE_OFFICERS},
    "payments.ledgerentry": {roles.FINANCE_OFFICERS},
    "payments.payment": {roles.FINANCE_OFFICERS},
    "payments.stripeevent": {roles.FINANCE_OFFICERS},
    "payments.dispute": {roles.FINANCE_OFFICERS},
    "payments.refund": {roles.FINANCE_OFFICERS},
    "payments.incomefile": {roles.FINANCE_OFFICERS},
    "payments.reconciliationrun": {roles.FINANCE_OFFICERS},
    "payments.discrepancy": {roles.FINANCE_OFFICERS},
    "employment.opportunity": {roles.JOBS_MODERATORS},
    "employment.application": {roles.JOBS_MODERATORS},
    "employment.synonym": {roles.JOBS_MODERATORS},
    "homelessness.case": {roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS},
    "homelessness.codelist": {roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS},
    # The statutory return holds every case, restricted ones too: its own group only.
    "homelessness.hclicexport": {roles.STATUTORY_RETURNS},
    # Shared tables: each group sees only its own service's rows (next test).
    "core.auditevent": {roles.FINANCE_OFFICERS, roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS},
    "core.notification": {roles.FINANCE_OFFICERS},
    # Operations and identity: administrators only.
    "core.outboxtask": set(),
    "users.user": set(),
    "auth.group": set(),
    "account.emailaddress": set(),
    "mfa.authenticator": set(),
    "sites.site": set(),
    "django_celery_beat.clockedschedule": set(),
    "django_celery_beat.crontabschedule": set(),
    "django_celery_beat.intervalschedule": set(),
    "django_celery_beat.periodictask": set(),
    "django_celery_beat.solarschedule": set(),
}
STAFF_GROUPS = [
    roles.FINANCE_OFFICERS,
    roles.JOBS_MODERATORS,
    roles.HOUSING_OFFICERS,
    roles.HOUSING_MANAGERS,
    roles.STATUTORY_RETURNS,
]


def test_the_admin_policy_covers_every_registered_model():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_POLICY), "classify every admin model in ADMIN_POLICY"


@pytest.mark.parametrize("group", STAFF_GROUPS)
def test_each_staff_group_opens_only_its_own_back_office_pages(group, make_staff, caplog):
    client = Client()
    staff_login(client, make_staff("staff@example.org", group))
    caplog.set_level(logging.WARNING, logger="hackney_portal.security")
    for label, groups in ADMIN_POLICY.items():
        app_label, model_name = label.split(".")
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
        status = client.get(url).status_code
        if group in groups:
            assert status == 200, (group, label)
        else:
            assert status == 403, (group, label, status)
            assert [r for r in caplog.records if getattr(r, "path", None) == _route(url)], (group, label)


def test_employers_and_residents_never_reach_the_back_office(resident):
    employer = make_user("employer@example.org", groups=[roles.EMPLOYERS])
    for user in (employer, resident):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("admin:employment_opportunity_changelist"))
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_shared_audit_and_message_tables_show_each_group_only_its_service(make_staff, make_case, account):
    make_case()  # writes homelessness audit rows and a message to the applicant
    rent.account_link(user=make_user("t@example.org"), account=account, actor=None)
    notification_send_rendered(
        to="t@example.org", subject="Receipt", body="b", template="payments/email/receipt", key="k1"
    )
    assert AuditEvent.objects.filter(action__startswith="homelessness.").exists()
    assert AuditEvent.objects.filter(action__startswith="payments.").exists()
    assert Notification.objects.filter(template__startswith="homelessness/").exists()

    finance = Client()
    staff_login(finance, make_staff("finance@example.org", roles.FINANCE_OFFICERS))
    audit = finance.get(reverse("admin:core_auditevent_changelist") + "?all=").content.decode()
    assert "payments." in audit
    assert "homelessness." not in audit
    messages = finance.get(reverse("admin:core_notification_changelist")).content.decode()
    assert "payments/email/receipt" in messages
    assert "homelessness/" not in messages

    housing_client = Client()
    staff_login(housing_client, make_staff("officer@example.org", roles.HOUSING_OFFICERS))
    audit = housing_client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "homelessness." in audit
    assert "payments." not in audit


# The back office's own pages beyond Django's (downloads, refunds, case actions): who may open each, and
# which record of the `staff_world` fixture it is tried on (None: an id that does not exist).
HOUSING = {roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS}
ADMIN_EXTRA = {
    "payments_dashboard": ({roles.FINANCE_OFFICERS}, []),
    "payments_rentaccount_tenant_view": ({roles.FINANCE_OFFICERS}, ["account"]),
    "payments_rentaccount_tenant_statement": ({roles.FINANCE_OFFICERS}, ["account"]),
    "payments_rentaccount_tenant_payments": ({roles.FINANCE_OFFICERS}, ["account"]),
    "payments_payment_refund": ({roles.FINANCE_OFFICERS}, ["payment"]),
    "payments_incomefile_download": ({roles.FINANCE_OFFICERS}, [None]),
    "payments_reconciliationrun_run": ({roles.FINANCE_OFFICERS}, []),
    "payments_discrepancy_resolve": ({roles.FINANCE_OFFICERS}, [None]),
    "payments_discrepancy_refund": ({roles.FINANCE_OFFICERS}, [None]),
    "payments_incomefile_make": ({roles.FINANCE_OFFICERS}, []),
    "payments_phone_start": ({roles.FINANCE_OFFICERS}, []),
    "payments_phone_card": ({roles.FINANCE_OFFICERS}, [None]),
    "employment_application_cv": ({roles.JOBS_MODERATORS}, ["application"]),
    # each officer action on a case has its own URL (homelessness/admin/actions/)
    **{f"homelessness_case_act_{a.name}": (HOUSING, ["case"]) for a in CASE_ACTIONS},
    "homelessness_case_document": (HOUSING, ["case", "document"]),
    "homelessness_case_letter_pdf": (HOUSING, ["case", None]),
    "homelessness_hclicexport_generate": ({roles.STATUTORY_RETURNS}, []),
    "homelessness_hclicexport_file": ({roles.STATUTORY_RETURNS}, [None, "report"]),
}
MISSING = 999_999


def _admin_extra_urls() -> set[str]:
    standard = ("_changelist", "_add", "_change", "_delete", "_history")
    return {
        p.name
        for model_admin in admin.site._registry.values()
        for p in model_admin.get_urls()
        if isinstance(p, URLPattern) and p.name and not p.name.endswith(standard)
    }


def test_every_custom_back_office_page_is_in_the_policy():
    assert _admin_extra_urls() == set(ADMIN_EXTRA)


@pytest.fixture
def staff_world(make_case, make_staff, account, settings, tmp_path):
    from django.core.files.base import ContentFile

    from employment.services import application_submit

    settings.MEDIA_ROOT = tmp_path
    officer = make_staff("caseworker@example.org", roles.HOUSING_OFFICERS)
    case = make_case()
    document = housing.document_upload(
        case=case, actor=officer, upload=ContentFile(b"%PDF-1.4\n%%EOF", name="a.pdf")
    )
    application = application_submit(
        opp_id=listing("Porter").pk,
        name="Sam",
        email="sam@example.org",
        phone="",
        cv=ContentFile(pdf_bytes(), name="cv.pdf"),
        statement="x",
        lives_in_borough=True,
        actor=None,
    )
    return {
        "account": account.pk,
        "payment": start_payment(account).pk,
        "case": case.pk,
        "document": document.pk,
        "application": application.pk,
        "note": "note",
        "report": "report",
        None: MISSING,
    }


@pytest.mark.parametrize("group", STAFF_GROUPS)
def test_custom_back_office_pages_refuse_other_groups_and_never_fail(group, make_staff, staff_world, caplog):
    from payments.models import Refund

    client = Client()
    staff_login(client, make_staff("staff@example.org", group))
    caplog.set_level(logging.WARNING, logger="hackney_portal.security")
    for name, (groups, keys) in ADMIN_EXTRA.items():
        url = reverse(f"admin:{name}", args=[staff_world[k] for k in keys])
        got = client.get(url).status_code
        if group in groups:
            # Allowed: the page, a redirect or a 404 for an id that does not exist; never a refusal or a 500.
            assert got in ((404,) if None in keys else (200, 302)), (group, name, got)
            continue
        posted = client.post(url, {"amount": "1.00", "reason": "x", "text": "x"}).status_code
        assert got in (403, 404), (group, name, got)
        assert posted in (403, 404), (group, name, posted)
        assert [r for r in caplog.records if getattr(r, "path", None) == _route(url)], (group, name)
    assert not Refund.objects.exists()


# ---------------------------------------------------------------------------------------------------------
# Restricted cases (domestic abuse, staff, high profile) are invisible to anyone not named on them, in every
# output that can carry case data. Each admin model and URL that can carry case data is classified here, with
# the test that proves it; a new one fails the classification tests until someone decides how it hides them.

SECRET = "Zephyrine Quillfeather"  # the restricted applicant's name: it must appear nowhere an outsider looks

# Every model registered in the back office: how it keeps restricted cases out, or why it holds no case data.
CASE_DATA_ADMIN = {
    "homelessness.case": ("cases_visible_to in CaseAdmin.get_queryset", "test_case_admin_outputs_hide_it"),
    "homelessness.hclicexport": (
        "statutory returns group only; personal file and report filtered per downloader",
        "test_hclic_files_count_it_but_hide_its_personal_data",
    ),
    "core.auditevent": ("audit_scopes registered by homelessness", "test_audit_views_hide_it"),
    "core.notification": ("notification scopes registered by homelessness", "test_sent_messages_hide_it"),
}
NO_CASE_DATA = {
    "homelessness.codelist": "H-CLIC code lists",
    "core.outboxtask": "task names and ids only",
    "users.user": "accounts (administrators only)",
    "auth.group": "groups",
    "account.emailaddress": "addresses of accounts",
    "mfa.authenticator": "second factors",
    "sites.site": "site name",
    "django_celery_beat.clockedschedule": "schedules",
    "django_celery_beat.crontabschedule": "schedules",
    "django_celery_beat.intervalschedule": "schedules",
    "django_celery_beat.periodictask": "schedules (task ids only)",
    "django_celery_beat.solarschedule": "schedules",
    **{
        label: "rent, payments and jobs: no homelessness case data"
        for label in ADMIN_POLICY
        if label.split(".")[0] in ("payments", "employment")
    },
}

# Every URL that can carry case data, with the test that proves a restricted case stays out of it.
CASE_DATA_URLS = {
    "admin:index": "test_case_admin_outputs_hide_it",
    "admin:app_list": "test_case_admin_outputs_hide_it",
    "admin:autocomplete": "test_admin_autocomplete_hides_it",
    "admin:homelessness_case_changelist": "test_case_admin_outputs_hide_it",
    "admin:homelessness_case_change": "test_case_admin_outputs_hide_it",
    "admin:homelessness_case_history": "test_case_admin_outputs_hide_it",
    "admin:homelessness_case_add": "test_case_admin_outputs_hide_it",
    "admin:homelessness_case_delete": "test_case_admin_outputs_hide_it",
    **{f"admin:homelessness_case_act_{a.name}": "test_case_admin_outputs_hide_it" for a in CASE_ACTIONS},
    "admin:homelessness_case_document": "test_case_admin_outputs_hide_it",
    "admin:homelessness_case_letter_pdf": "test_case_admin_outputs_hide_it",
    "admin:homelessness_hclicexport_changelist": "test_hclic_files_count_it_but_hide_its_personal_data",
    "admin:homelessness_hclicexport_change": "test_hclic_files_count_it_but_hide_its_personal_data",
    "admin:homelessness_hclicexport_history": "test_hclic_files_count_it_but_hide_its_personal_data",
    "admin:homelessness_hclicexport_add": "test_hclic_files_count_it_but_hide_its_personal_data",
    "admin:homelessness_hclicexport_delete": "test_hclic_files_count_it_but_hide_its_personal_data",
    "admin:homelessness_hclicexport_generate": "test_hclic_files_count_it_but_hide_its_personal_data",
    "admin:homelessness_hclicexport_file": "test_hclic_files_count_it_but_hide_its_personal_data",
    "admin:core_auditevent_changelist": "test_audit_views_hide_it",
    "admin:core_auditevent_change": "test_audit_views_hide_it",
    "admin:core_auditevent_history": "test_audit_views_hide_it",
    "admin:core_auditevent_add": "test_audit_views_hide_it",
    "admin:core_auditevent_delete": "test_audit_views_hide_it",
    "admin:core_notification_changelist": "test_sent_messages_hide_it",
    "admin:core_notification_change": "test_sent_messages_hide_it",
    "admin:core_notification_history": "test_sent_messages_hide_it",
    "admin:core_notification_add": "test_sent_messages_hide_it",
    "admin:core_notification_delete": "test_sent_messages_hide_it",
    # The applicant's own pages: only the applicant (or the emailed link) opens them (tests above).
    **{
        f"homelessness:{name}": "test_another_resident_gets_404_and_the_refusal_is_logged"
        for name in ("case", "done", "plan_step", "letter", "letter_pdf", "my_cases", "status_link")
    },
    # The public intake: this browser's own draft, never a case.
    **{
        f"homelessness:{name}": "test_tokens_cannot_be_forged_or_moved_to_another_record"
        for name in (
            "start",
            "apply",
            "emergency",
            "saved",
            "resume",
            "person",
            "person_page",
            "person_remove",
            "check",
            "step",
            "refer",
            "refer_done",
            # Deletes this browser's draft and ends the session; shows nothing
            # (tests/homelessness/test_resume_links.py::test_exit_this_page_leaves_no_draft_behind).
            "exit",
        )
    },
    # Scheduled tasks that email staff about cases send a restricted case only to people named on it.
    "task:homelessness.tasks.deadline_reminders": "test_staff_emails_about_it_go_only_to_named_people",
    "task:homelessness.tasks.unassigned_escalations": "test_staff_emails_about_it_go_only_to_named_people",
    # Tasks with no output of their own: retention deletes; the H-CLIC files are read through its admin.
    "task:homelessness.tasks.retention_delete": "test_every_admin_model_is_classified_for_restricted_cases",
    "task:homelessness.tasks.hclic_export": "test_hclic_files_count_it_but_hide_its_personal_data",
}


def _related_to_case(model) -> bool:
    from homelessness.models import Case

    return model is Case or any(
        f.is_relation and f.related_model is Case for f in model._meta.get_fields() if not f.auto_created
    )


def test_every_admin_model_is_classified_for_restricted_cases():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}": m for m in admin.site._registry}
    unclassified = registered.keys() - CASE_DATA_ADMIN.keys() - NO_CASE_DATA.keys()
    assert not unclassified, f"say how these hide restricted cases (CASE_DATA_ADMIN): {sorted(unclassified)}"
    # A model that points at a case cannot be waved through as holding no case data.
    wrongly = {label for label in NO_CASE_DATA if label in registered and _related_to_case(registered[label])}
    assert not wrongly, wrongly
    for label, (_, test_name) in CASE_DATA_ADMIN.items():
        assert callable(globals().get(test_name)), (label, test_name)


def test_every_url_and_staff_email_that_can_carry_case_data_is_classified():
    from celery import current_app

    admin_models = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    case_models = {label.replace(".", "_") for label in CASE_DATA_ADMIN}
    assert case_models <= admin_models
    names = {name for name, _ in _named_patterns(get_resolver())}
    assert "admin:autocomplete" in names, "the URL walk found no admin: the check itself is broken"
    carrying = {n for n in names if n.startswith("homelessness:")}
    carrying |= {"admin:index", "admin:app_list", "admin:autocomplete"}
    carrying |= {
        n for n in names if n.startswith("admin:") and any(n[6:].startswith(m + "_") for m in case_models)
    }
    # Any back-office page added to a model that carries case data is caught by the line above; any task
    # in homelessness that emails staff is caught here.
    carrying |= {f"task:{name}" for name in current_app.tasks if name.startswith("homelessness.")}
    unclassified = carrying - CASE_DATA_URLS.keys()
    assert not unclassified, f"say how these hide restricted cases (CASE_DATA_URLS): {sorted(unclassified)}"
    for name, test_name in CASE_DATA_URLS.items():
        assert callable(globals().get(test_name)), (name, test_name)


@dataclass
class Restricted:
    case: object
    open_case: object
    named: object  # a housing manager in the restricted cases team, which the case was routed to
    outsider: object  # a housing manager outside the team
    returns: object  # a statutory returns officer, not in the team
    named_returns: object  # a statutory returns officer who is also in the team


_SIGNED_IN: dict[int, Client] = {}


@pytest.fixture(autouse=True)
def _signed_in_forgotten():
    _SIGNED_IN.clear()


def _client(user) -> Client:
    """The user signed in, once a test: each sign-in takes a step of their authenticator's codes, and a
    third in one 30-second window would wait for the window to turn."""
    if user.pk not in _SIGNED_IN:
        client = Client()
        staff_login(client, user)
        _SIGNED_IN[user.pk] = client
    return _SIGNED_IN[user.pk]


@pytest.fixture
def restricted_world(make_case, make_staff, settings, tmp_path) -> Restricted:
    from homelessness.models import Case

    settings.MEDIA_ROOT = tmp_path
    team = settings.HOMELESSNESS_RESTRICTED_TEAM
    named = make_staff("named@example.org", roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS, team)
    named_returns = make_staff(
        "named-returns@example.org",
        roles.HOUSING_OFFICERS,
        roles.HOUSING_MANAGERS,
        roles.STATUTORY_RETURNS,
        team,
    )
    open_case = make_case(name="Open Applicant", email="open@example.org")
    case = make_case(risk="domestic_abuse", name=SECRET, email="zephyrine@example.org")
    assert case.restriction
    assert case.restricted_team
    assert case.assigned_to in {named, named_returns}
    # These tests start from the case waiting in the team's queue, picked up by nobody yet.
    Case.objects.filter(pk=case.pk).update(assigned_to=None, assigned_at=None)
    case.refresh_from_db()
    outsider = make_staff("outsider@example.org", roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS)
    returns = make_staff("returns@example.org", roles.STATUTORY_RETURNS)
    return Restricted(case, open_case, named, outsider, returns, named_returns)


def _body(response) -> str:
    # A streamed download (an H-CLIC file, a CSV) is read whole: a leak in it counts as much as in a page.
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _shows(response, *marks) -> list:
    return [m for m in marks if m in _body(response)]


def test_case_admin_outputs_hide_it(restricted_world):
    w = restricted_world
    hidden, outsider, named = w.case, _client(w.outsider), _client(w.named)
    marks = (SECRET, hidden.reference)
    listing = reverse("admin:homelessness_case_changelist")
    queries = ["", f"?q={hidden.reference}", "?q=Zephyrine", "?_facets=1", "?queue=new", "?route=self"]
    for query in queries:
        page = outsider.get(listing + query)
        assert page.status_code == 200, query
        # The search box repeats what the outsider typed; nothing else on the page may name the case.
        assert not _shows(page, *marks) or query == f"?q={hidden.reference}", query
        cl = page.context_data["cl"]
        assert hidden.pk not in {c.pk for c in cl.result_list}, query
        assert cl.result_count == (0 if "q=" in query else 1), query
        assert SECRET not in page.content.decode(), query
        # The same page shows it to a named manager: the check above is about who asked.
        seen = named.get(listing + query)
        assert hidden.reference in seen.content.decode(), query
    # Facet counts come from the same visible rows: one self-referred case for the outsider, two when named.
    assert "(1)" in outsider.get(listing + "?_facets=1").content.decode()
    assert "(2)" in named.get(listing + "?_facets=1").content.decode()
    for name in ("admin:index",):
        assert not _shows(outsider.get(reverse(name)), *marks)
    assert not _shows(outsider.get(reverse("admin:app_list", args=["homelessness"])), *marks)
    for name, args in [
        ("admin:homelessness_case_change", [hidden.pk]),
        ("admin:homelessness_case_history", [hidden.pk]),
        ("admin:homelessness_case_delete", [hidden.pk]),
        *[(f"admin:homelessness_case_act_{a.name}", [hidden.pk]) for a in CASE_ACTIONS],
        ("admin:homelessness_case_document", [hidden.pk, 1]),
        ("admin:homelessness_case_letter_pdf", [hidden.pk, 1]),
        ("admin:homelessness_case_add", []),
    ]:
        response = outsider.get(reverse(name, args=args))
        assert response.status_code in (302, 403, 404), name
        assert not _shows(response, *marks), name
        assert outsider.post(reverse(name, args=args), {"text": "x"}).status_code in (302, 403, 404), name
    assert named.get(reverse("admin:homelessness_case_change", args=[hidden.pk])).status_code == 200


def test_admin_autocomplete_hides_it(restricted_world, rf):
    """Django's autocomplete runs the target model's admin search outside its list, where no search of cases
    is recorded: for cases it is refused to everyone, officers named on the case too, even when a widget is
    added to a model that points at a case. Only the case list searches cases (and records every search)."""
    from django.contrib.admin import AdminSite, ModelAdmin
    from django.http import Http404

    from homelessness.admin import CaseAdmin
    from homelessness.models import Case, HouseholdMember

    w = restricted_world
    site = AdminSite(name="probe")
    site.register(Case, CaseAdmin)
    site.register(HouseholdMember, type("MemberAdmin", (ModelAdmin,), {"autocomplete_fields": ["case"]}))

    def ask(user, term):
        request = rf.get(
            "/",
            {
                "app_label": "homelessness",
                "model_name": "householdmember",
                "field_name": "case",
                "term": term,
            },
        )
        request.user = user
        return site.autocomplete_view(request)

    for user in (w.outsider, w.named):
        for term in ("", "Zephyrine", w.case.reference, w.open_case.reference):
            with pytest.raises(Http404):
                ask(user, term)
    # The portal's own back office refuses it the same way.
    for user in (w.outsider, w.named):
        response = _client(user).get(
            reverse("admin:autocomplete"),
            {"app_label": "homelessness", "model_name": "householdmember", "field_name": "case", "term": ""},
        )
        assert response.status_code == 404
        assert not _shows(response, SECRET, w.case.reference, w.open_case.reference)


def _hclic_ready(w):
    import datetime as dt

    from homelessness.models import Case
    from homelessness.rules import AssessmentOutcome

    for case, officer in ((w.open_case, w.named), (w.case, w.named)):
        housing.case_assign(case=case, officer=officer, actor=officer)
        housing.case_record_assessment(
            case=case,
            actor=officer,
            eligible=True,
            outcome=AssessmentOutcome.THREATENED_BY_NOTICE,
            household_type="single_female",
            reason_loss="private_ast_end",
            accommodation_at_application="private_rented",
            support_needs=["mental_health"],
        )
    Case.objects.filter(pk__in=[w.case.pk, w.open_case.pk]).update(assessed_on=dt.date(2026, 10, 15))
    # A problem on each case, so each appears in the validation report.
    Case.objects.filter(pk__in=[w.case.pk, w.open_case.pk]).update(household_type="")


def test_hclic_files_count_it_but_hide_its_personal_data(restricted_world):
    from homelessness.models import HclicExport

    w = restricted_world
    _hclic_ready(w)
    generate = reverse("admin:homelessness_hclicexport_generate")
    # Housing officers and managers without the statutory returns permission neither build nor download.
    for user in (w.outsider, w.named):
        client = _client(user)
        assert client.post(generate, {"year": 2026, "quarter": 3}).status_code == 403
        assert client.get(reverse("admin:homelessness_hclicexport_changelist")).status_code == 403
    returns = _client(w.returns)
    built = returns.post(generate, {"year": 2026, "quarter": 3, "allow_unfinished": "on"})
    assert built.status_code == 302
    export = HclicExport.objects.get()
    assert export.case_count == 2  # the department counts every case, restricted ones too
    for user in (w.outsider, w.named):
        for which in ("case", "personal", "report"):
            url = reverse("admin:homelessness_hclicexport_file", args=[export.pk, which])
            assert _client(user).get(url).status_code == 403, which
    for name, args in [
        ("admin:homelessness_hclicexport_change", [export.pk]),
        ("admin:homelessness_hclicexport_history", [export.pk]),
    ]:
        assert _client(w.outsider).get(reverse(name, args=args)).status_code in (302, 403, 404), name

    def files(client):
        got = {}
        for which in ("case", "personal", "report"):
            response = client.get(reverse("admin:homelessness_hclicexport_file", args=[export.pk, which]))
            assert response.status_code == 200, which
            got[which] = _body(response)
        return got

    unnamed = files(returns)
    # The case-level file (no names) still counts it; its people and its problems are left out.
    assert unnamed["case"].count("<Case ") == 2
    assert SECRET not in unnamed["case"]
    assert "Open Applicant" in unnamed["personal"]
    assert SECRET not in unnamed["personal"]
    assert w.case.reference not in unnamed["personal"]
    assert w.open_case.reference in unnamed["report"]
    assert w.case.reference not in unnamed["report"]
    assert "restricted" in unnamed["report"]
    # A returns officer named on the case gets its personal data.
    named = files(_client(w.named_returns))
    assert SECRET in named["personal"]
    assert w.case.reference in named["report"]
    downloads = AuditEvent.objects.filter(action="homelessness.hclic.downloaded", object_id=str(export.pk))
    assert downloads.count() == 6
    assert {(e.actor_label, e.data["file"]) for e in downloads} == {
        (u.email, which) for u in (w.returns, w.named_returns) for which in ("case", "personal", "report")
    }
    # The log is read by administrators not named on the case: it does not count what a copy left out.
    assert all(set(e.data) == {"file"} for e in downloads)


def test_audit_views_hide_it(restricted_world):
    w = restricted_world
    hidden = w.case
    named = _client(w.named)
    listing = reverse("admin:homelessness_case_changelist")
    named.get(reverse("admin:homelessness_case_change", args=[hidden.pk]))
    named.get(listing + f"?q={hidden.reference}")
    named.get(listing + "?q=Zephyrine+Quillfeather")
    housing.case_assign(case=hidden, officer=w.named, actor=w.named)
    outsider = _client(w.outsider)
    assert outsider.get(reverse("admin:homelessness_case_change", args=[hidden.pk])).status_code == 404

    about_it = AuditEvent.objects.filter(object_type="homelessness.case", object_id=str(hidden.pk))
    assert about_it.filter(action="homelessness.case.restricted").exists()
    audit = reverse("admin:core_auditevent_changelist")
    marks = (SECRET, "Zephyrine", hidden.reference, "homelessness.case.restricted", "named@example.org")
    visible = {e.pk for e in AuditEvent.objects.all()} - {e.pk for e in about_it}
    for query in [
        "",
        "?all=",
        f"?q={hidden.pk}",
        f"?q={hidden.reference}",
        "?action=homelessness.case.restricted",
        "?action=homelessness.case.listed",
        "?_facets=1",
    ]:
        page = outsider.get(audit + query)
        assert page.status_code == 200, query
        # The search box and the filter repeat what the outsider typed; nothing else may name the case.
        typed = (
            {hidden.reference}
            if "q=HHA" in query
            else {"homelessness.case.restricted"}
            if "restricted" in query
            else set()
        )
        assert not set(_shows(page, *marks)) - typed, (query, _shows(page, *marks))
        rows = {e.pk for e in page.context_data["cl"].result_list}
        assert not rows & {e.pk for e in about_it}, query
    page = outsider.get(audit)
    assert page.context_data["cl"].result_count < len(visible)  # the search rows went too
    for event in about_it:
        response = outsider.get(reverse("admin:core_auditevent_change", args=[event.pk]))
        assert response.status_code in (302, 404), event.action
        assert not _shows(response, *marks), event.action
    # The outsider's own refusal stays in their view: hiding it would confirm the id was a restricted case.
    own = AuditEvent.objects.get(action="homelessness.case.access_denied", actor=w.outsider)
    assert own.pk in {e.pk for e in outsider.get(audit).context_data["cl"].result_list}
    # The named manager still sees the whole trail.
    trail = named.get(audit + f"?q={hidden.pk}").content.decode()
    assert "homelessness.case.restricted" in trail
    listed = named.get(audit + "?action=homelessness.case.listed").context_data["cl"].result_list
    assert [e for e in listed if hidden.reference in e.data["references"]]
    assert [e for e in listed if "Zephyrine" in e.data["query"]]


def test_sent_messages_hide_it(restricted_world, make_staff):
    w = restricted_world
    admin_user = make_staff("admin@example.org", superuser=True)  # not named on the case
    messages = _client(admin_user).get(reverse("admin:core_notification_changelist") + "?q=example.org")
    assert messages.status_code == 200
    assert "open@example.org" in messages.content.decode()
    assert "zephyrine@example.org" not in messages.content.decode()
    sent = Notification.objects.get(to="zephyrine@example.org")
    response = _client(admin_user).get(reverse("admin:core_notification_change", args=[sent.pk]))
    assert response.status_code in (302, 404)
    assert SECRET not in response.content.decode()
    # An administrator named on the case sees its messages: the rule is about who is named.
    w.case.named_officers.add(admin_user)
    again = _client(admin_user).get(reverse("admin:core_notification_changelist") + "?q=example.org")
    assert "zephyrine@example.org" in again.content.decode()


def test_staff_emails_about_it_go_only_to_named_people(restricted_world, make_staff):
    import datetime as dt

    from django.conf import settings as django_settings
    from django.utils import timezone

    from homelessness.models import Case

    w = restricted_world
    Case.objects.update(created_at=timezone.now() - dt.timedelta(days=7))
    housing.unassigned_escalate()
    escalated = Notification.objects.filter(template="homelessness/email/unassigned")
    assert {n.to for n in escalated if w.case.reference in n.body} == {
        "named@example.org",
        "named-returns@example.org",
    }
    assert "outsider@example.org" in {n.to for n in escalated if w.open_case.reference in n.body}

    # The officer named on the case reports to a manager who is not: the reminder goes to the officer only.
    officer = make_staff(
        "caseworker@example.org", roles.HOUSING_OFFICERS, django_settings.HOMELESSNESS_RESTRICTED_TEAM
    )
    officer.manager = w.outsider
    officer.save(update_fields=["manager"])
    for case in (w.case, w.open_case):
        housing.case_assign(case=case, officer=officer, actor=w.named)
    Case.objects.update(stage="prevention", duty_deadline=timezone.localdate() + dt.timedelta(days=3))
    housing.deadline_reminders_send()
    reminders = Notification.objects.filter(template="homelessness/email/deadline")
    assert {n.to for n in reminders if w.case.reference in n.body} == {"caseworker@example.org"}
    assert {n.to for n in reminders if w.open_case.reference in n.body} == {
        "caseworker@example.org",
        "outsider@example.org",
    }


# ---------------------------------------------------------------------------------------------------------
# After a case is deleted (the retention job), nobody is named on it any more and whether it was restricted
# is no longer known from the case: the rows left about it in the shared tables are hidden from everyone.


def _close_long_ago(case, officer):
    import datetime as dt

    from django.utils import timezone

    from homelessness.models import Case
    from homelessness.rules import AssessmentOutcome, CloseReason, Stage

    housing.case_assign(case=case, officer=officer, actor=officer)
    housing.case_record_assessment(case=case, actor=officer, eligible=True, outcome=AssessmentOutcome.NEITHER)
    housing.case_move(
        case=case,
        actor=officer,
        to_stage=Stage.CLOSED,
        end_reason=CloseReason.NOT_HOMELESS,
        reasons="Not threatened.",
    )
    Case.objects.filter(pk=case.pk).update(closed_on=timezone.localdate() - dt.timedelta(days=365 * 7))


def _about(case_pk: int, reference: str):
    from django.db.models import Q

    return AuditEvent.objects.filter(
        Q(object_type="homelessness.case", object_id=str(case_pk))
        | Q(action="homelessness.case.access_denied", data__case_id=str(case_pk))
        | Q(action="homelessness.case.listed", data__references__contains=[reference])
        | Q(action="homelessness.case.deleted_by_retention", data__reference=reference)
    )


_AUDIT_QUERIES = [
    "?all=",
    "?q={pk}",
    "?q={reference}",
    "?action=homelessness.case.listed",
    "?action=homelessness.case.restricted",
    "?action=homelessness.case.access_denied",
    "?action=homelessness.case.deleted_by_retention",
    "?action=homelessness.message.held",
]


def _audit_rows_seen(user, *, pk, reference) -> set[int]:
    audit = reverse("admin:core_auditevent_changelist")
    seen = set()
    for query in _AUDIT_QUERIES:
        page = _client(user).get(audit + query.format(pk=pk, reference=reference))
        assert page.status_code == 200, query
        seen |= {e.pk for e in page.context_data["cl"].result_list}
    return seen


def test_a_restricted_case_deleted_by_retention_stays_hidden(restricted_world, make_staff):
    w = restricted_world
    hidden, pk, reference = w.case, w.case.pk, w.case.reference
    named = _client(w.named)
    listing = reverse("admin:homelessness_case_changelist")
    named.get(listing + "?q=Zephyrine+Quillfeather")  # a search by name, with the case in its result
    named.get(reverse("admin:homelessness_case_change", args=[pk]))
    outsider = _client(w.outsider)
    assert outsider.get(reverse("admin:homelessness_case_change", args=[pk])).status_code == 404
    assert outsider.get(reverse("admin:homelessness_case_change", args=[MISSING])).status_code == 404
    _close_long_ago(hidden, w.named)
    admin_user = make_staff("admin@example.org", superuser=True)
    hidden.named_officers.add(admin_user)  # named while it exists: the administrator sees it all
    assert Notification.objects.filter(to="zephyrine@example.org").count() >= 3

    assert housing.cases_retention_delete() == 1

    about_it = _about(pk, reference)
    assert about_it.filter(action="homelessness.case.deleted_by_retention").exists()
    assert about_it.filter(action="homelessness.case.listed", data__query__icontains="Zephyrine").exists()
    assert about_it.filter(action="homelessness.case.restricted").exists()
    for user in (w.outsider, w.named, admin_user):
        seen = _audit_rows_seen(user, pk=pk, reference=reference)
        # A person's own rows stay theirs (what they typed or were shown), as for a case that exists.
        assert not seen & {e.pk for e in about_it if e.actor_id != user.pk}, user.email
        for event in about_it.exclude(actor=user):
            response = _client(user).get(reverse("admin:core_auditevent_change", args=[event.pk]))
            assert response.status_code in (302, 404), (user.email, event.action)
            assert not _shows(response, SECRET, reference), (user.email, event.action)
    own = about_it.filter(actor=w.named, action="homelessness.case.listed")
    assert {e.pk for e in own} <= _audit_rows_seen(w.named, pk=pk, reference=reference)
    # What is not about it stays: the open case's rows, and an outsider's guess at an id that never existed.
    seen = _audit_rows_seen(w.named, pk=pk, reference=reference)
    assert (
        AuditEvent.objects.get(action="homelessness.case.access_denied", data__case_id=str(MISSING)).pk
        in seen
    )
    assert AuditEvent.objects.get(
        object_id=str(w.open_case.pk), action="homelessness.case.created"
    ).pk in _audit_rows_seen(w.outsider, pk=w.open_case.pk, reference=w.open_case.reference)
    # Its messages (letters among them) are deleted with it.
    assert not Notification.objects.filter(to="zephyrine@example.org").exists()
    assert not Notification.objects.filter(key__regex=rf"^homelessness\.[a-z_]+:{pk}(:|$)").exists()
    page = _client(admin_user).get(reverse("admin:core_notification_changelist") + "?q=example.org")
    assert "open@example.org" in page.content.decode()
    assert not [n for n in page.context_data["cl"].result_list if n.to == "zephyrine@example.org"]


def test_rows_about_a_case_that_no_longer_exists_are_hidden_from_everyone(
    restricted_world, make_case, make_staff
):
    """However the case went (a retention run before its messages were deleted with it, a data fix), the
    rows left about it are hidden: its restriction and named officers went with it."""
    from django.db import connection, transaction

    from hackney_portal.core.append_only import RETENTION_SETTING
    from homelessness.models import Case

    w = restricted_world
    gone_open = make_case(name="Gone Applicant", email="gone@example.org")
    admin_user = make_staff("admin@example.org", superuser=True)
    w.case.named_officers.add(admin_user)
    housing.letter_issue(case=w.case, actor=w.named, kind="s184", decision="not_homeless", reasons="Reasons.")
    notifications = reverse("admin:core_notification_changelist") + "?q=example.org"
    before = _client(admin_user).get(notifications).content.decode()
    assert "zephyrine@example.org" in before
    assert "gone@example.org" in before
    gone = {case.pk: case.reference for case in (w.case, gone_open)}
    assert all(_about(pk, ref).exists() for pk, ref in gone.items())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {RETENTION_SETTING} = 'on'")
        Case.objects.filter(pk__in=gone).delete()
    assert Notification.objects.filter(to__in=["zephyrine@example.org", "gone@example.org"]).count() >= 3

    for user in (w.outsider, w.named, admin_user):
        for pk, reference in gone.items():
            seen = _audit_rows_seen(user, pk=pk, reference=reference)
            assert not seen & {e.pk for e in _about(pk, reference) if e.actor_id != user.pk}, (user.email, pk)
    page = _client(admin_user).get(notifications)
    shown = {n.to for n in page.context_data["cl"].result_list}
    assert "open@example.org" in shown
    assert not shown & {"zephyrine@example.org", "gone@example.org"}
    letter = Notification.objects.get(template="homelessness/email/letter", to="zephyrine@example.org")
    assert _client(admin_user).get(
        reverse("admin:core_notification_change", args=[letter.pk])
    ).status_code in (
        302,
        404,
    )
