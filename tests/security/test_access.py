"""Object-level access, URL by URL: what one person owns, another cannot reach by changing an id, and every
refusal is logged. The tables below are checked against the URL configuration, so a new URL that takes an
id or a token fails here until someone decides who may open it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hackney_portal.core.models import AuditEvent, Notification
from hackney_portal.core.notifications import notification_send_rendered
from hackney_portal.users import roles
from homelessness import services as housing
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
    "employment:applied": ("GET", "job", 200),
}

# URLs whose argument is a signed token: only the person it was emailed to can open it.
TOKENS = {
    "homelessness:resume": "a signed link to an unfinished intake",
    "homelessness:status_link": "a signed link to one case's status",
    "employment:alert_confirm": "a random token for one saved search",
    "employment:alert_unsubscribe": "a random token for one saved search",
}

# URLs with an argument that names nothing personal.
PUBLIC = {
    "employment:detail": "a published listing",
    "employment:apply": "the form for a published listing",
    "employment:save": "adds a published listing to the signed-in person's own list",
    "homelessness:step": "a question of the intake, answered into this browser's own draft",
    "homelessness:person_remove": "an index into this browser's own draft household",
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
    unclassified = with_args - OWNED.keys() - TOKENS.keys() - PUBLIC.keys()
    assert not unclassified, f"decide who may open these and add them to a table: {sorted(unclassified)}"


def _refusals(caplog, url_name: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "hackney_portal.security"
        and r.getMessage() == "access refused"
        and r.url_name == url_name
    ]


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
    assert record.path == url

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
    "payments.incomefile": {roles.FINANCE_OFFICERS},
    "payments.reconciliationrun": {roles.FINANCE_OFFICERS},
    "payments.discrepancy": {roles.FINANCE_OFFICERS},
    "employment.opportunity": {roles.JOBS_MODERATORS},
    "employment.application": {roles.JOBS_MODERATORS},
    "employment.synonym": {roles.JOBS_MODERATORS},
    "homelessness.case": {roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS},
    "homelessness.codelist": {roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS},
    "homelessness.hclicexport": {roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS},
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
STAFF_GROUPS = [roles.FINANCE_OFFICERS, roles.JOBS_MODERATORS, roles.HOUSING_OFFICERS, roles.HOUSING_MANAGERS]


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
            assert [r for r in caplog.records if getattr(r, "path", None) == url], (group, label)


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
    "payments_payment_refund": ({roles.FINANCE_OFFICERS}, ["payment"]),
    "payments_incomefile_download": ({roles.FINANCE_OFFICERS}, [None]),
    "payments_reconciliationrun_run": ({roles.FINANCE_OFFICERS}, []),
    "payments_discrepancy_resolve": ({roles.FINANCE_OFFICERS}, [None]),
    "employment_application_cv": ({roles.JOBS_MODERATORS}, ["application"]),
    "homelessness_case_act": (HOUSING, ["case", "note"]),
    "homelessness_case_document": (HOUSING, ["case", "document"]),
    "homelessness_hclicexport_generate": ({roles.HOUSING_MANAGERS}, []),
    "homelessness_hclicexport_file": (HOUSING, [None, "report"]),
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
        assert [r for r in caplog.records if getattr(r, "path", None) == url], (group, name)
    assert not Refund.objects.exists()
