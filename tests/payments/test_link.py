"""Linking a rent account needs a second factor the tenant has: a one-time code sent to the contact on the
tenancy record (or posted to the property). The account number and postcode alone only give the masked quick
view for paying (issue 13, item 4)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.core.models import AuditEvent
from payments import models as rent
from payments import services
from payments.models import AccountLink

CONTACT = "jane.smith@example.org"


@pytest.fixture
def tenancy(account):
    account.contact_email = CONTACT
    account.save(update_fields=["contact_email"])
    return account


def _find(client, account):
    response = client.post(reverse("payments:start"), {"reference": account.reference, "postcode": "E8 1EA"})
    assert response.status_code == 302
    return response


def _ask_for_code(client, account):
    return client.post(reverse("payments:link", args=[account.pk]), {"action": "send"})


def _code_in(mailbox) -> str:
    return re.search(r"enter this code: (\d{6})", mailbox[-1].body).group(1)


def _enter(client, account, code):
    return client.post(reverse("payments:link", args=[account.pk]), {"code": code})


def _linked(user, account) -> bool:
    return AccountLink.objects.filter(user=user, account=account, unlinked_at__isnull=True).exists()


@pytest.mark.django_db
def test_account_number_and_postcode_alone_do_not_link_someone_elses_account(
    client, other_resident, tenancy, mailbox, django_capture_on_commit_callbacks
):
    client.force_login(other_resident)
    _find(client, tenancy)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("payments:link", args=[tenancy.pk]))
        client.post(reverse("payments:link", args=[tenancy.pk]), {"action": "send"})
    assert not _linked(other_resident, tenancy)
    for name in ("payments:account", "payments:statement"):
        assert client.get(reverse(name, args=[tenancy.pk])).status_code == 404
    # The code went to the tenant, never to the person asking.
    assert [m.to for m in mailbox] == [[CONTACT]]


@pytest.mark.django_db
def test_tenant_links_with_the_code_sent_to_the_tenancy_contact_and_is_told(
    client, resident, tenancy, mailbox, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    found = client.get(_find(client, tenancy)["Location"]).content.decode()
    assert "Link this rent account" in found
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask_for_code(client, tenancy)
    assert response["Location"] == reverse("payments:link", args=[tenancy.pk])
    assert mailbox[-1].to == [CONTACT]
    code = _code_in(mailbox)
    page = client.get(response["Location"]).content.decode()
    assert 'autocomplete="one-time-code"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = _enter(client, tenancy, code[:3] + " " + code[3:])
    assert response["Location"] == reverse("payments:account", args=[tenancy.pk])
    assert _linked(resident, tenancy)
    assert client.get(reverse("payments:statement", args=[tenancy.pk])).status_code == 200
    notice = mailbox[-1]
    assert notice.to == [CONTACT]
    assert "was linked to a sign-in" in notice.subject
    assert "call us" in notice.body
    assert AuditEvent.objects.filter(action="payments.account.linked", object_id=str(tenancy.pk)).exists()


@pytest.mark.django_db
def test_code_is_stored_only_as_a_keyed_hash(
    client, resident, tenancy, mailbox, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    _find(client, tenancy)
    with django_capture_on_commit_callbacks(execute=True):
        _ask_for_code(client, tenancy)
    code = _code_in(mailbox)
    row = rent.AccountLinkCode.objects.get()
    assert code not in row.code_hash
    import hashlib

    assert row.code_hash != hashlib.sha256(code.encode()).hexdigest()
    assert row.user == resident
    assert row.expires_at - row.created_at <= timezone.timedelta(minutes=15)


@pytest.mark.django_db
def test_an_emailed_code_works_only_for_the_login_that_asked(
    resident, other_resident, tenancy, mailbox, django_capture_on_commit_callbacks
):
    tenant, stranger = Client(), Client()
    tenant.force_login(resident)
    stranger.force_login(other_resident)
    _find(tenant, tenancy)
    _find(stranger, tenancy)
    with django_capture_on_commit_callbacks(execute=True):
        _ask_for_code(tenant, tenancy)
    code = _code_in(mailbox)
    response = _enter(stranger, tenancy, code)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not _linked(other_resident, tenancy)


@pytest.mark.django_db
def test_a_code_works_once_and_not_after_it_expires(resident, other_resident, tenancy, mailbox):
    letter = services.account_link_code_issue_letter(account=tenancy, actor=None)
    services.account_link_with_code(
        user=resident, account=tenancy, code=letter, client_key="a", actor=resident
    )
    with pytest.raises(ApplicationError):
        services.account_link_with_code(
            user=other_resident, account=tenancy, code=letter, client_key="b", actor=other_resident
        )
    assert not _linked(other_resident, tenancy)

    later = services.account_link_code_issue_letter(account=tenancy, actor=None)
    rent.AccountLinkCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now())
    with pytest.raises(ApplicationError):
        services.account_link_with_code(
            user=other_resident, account=tenancy, code=later, client_key="b", actor=other_resident
        )
    assert not _linked(other_resident, tenancy)


@pytest.mark.django_db
def test_a_code_dies_after_five_wrong_tries(resident, tenancy):
    code = services.account_link_code_issue_letter(account=tenancy, actor=None)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for i in range(5):
        with pytest.raises(ApplicationError):
            services.account_link_with_code(
                user=resident, account=tenancy, code=wrong, client_key=f"c{i}", actor=resident
            )
    with pytest.raises(ApplicationError):
        services.account_link_with_code(
            user=resident, account=tenancy, code=code, client_key="c9", actor=resident
        )
    assert not _linked(resident, tenancy)
    assert rent.AccountLinkCode.objects.get().attempts == rent.AccountLinkCode.MAX_ATTEMPTS


@pytest.mark.django_db
def test_wrong_and_hostile_codes_get_the_govuk_error_pattern(client, resident, tenancy):
    client.force_login(resident)
    _find(client, tenancy)
    for value in ("", "abc", "12345", "1" * 5000, "000000", "<script>alert(1)</script>", "１２３４５６"):
        response = _enter(client, tenancy, value)
        assert response.status_code == 200, value
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert 'href="#id_code"' in html
    assert not _linked(resident, tenancy)


@pytest.mark.django_db
def test_codes_sent_to_the_tenant_are_limited(client, resident, tenancy, mailbox):
    client.force_login(resident)
    _find(client, tenancy)
    statuses = [_ask_for_code(client, tenancy).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert "too many times" in _ask_for_code(client, tenancy).content.decode()
    # Only the newest code is live.
    assert rent.AccountLinkCode.objects.filter(used_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_tenant_with_no_email_on_record_is_told_to_call_for_a_posted_code(
    client, resident, account, mailbox
):
    client.force_login(resident)
    _find(client, account)
    response = _ask_for_code(client, account)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "post a code" in html
    assert not rent.AccountLinkCode.objects.exists()
    assert mailbox == []


@pytest.mark.django_db
def test_a_posted_code_links_for_any_login_that_found_the_account(client, resident, account, mailbox):
    code = services.account_link_code_issue_letter(account=account, actor=None)
    client.force_login(resident)
    _find(client, account)
    response = _enter(client, account, code)
    assert response["Location"] == reverse("payments:account", args=[account.pk])
    assert _linked(resident, account)
    assert mailbox == []  # no email on record to tell; the letter went to the property


@pytest.mark.django_db
def test_linking_still_needs_the_account_found_in_this_session(client, other_resident, tenancy):
    client.force_login(other_resident)
    code = services.account_link_code_issue_letter(account=tenancy, actor=None)
    assert _enter(client, tenancy, code).status_code == 404
    assert not _linked(other_resident, tenancy)


@pytest.mark.django_db
def test_the_anonymous_quick_view_stays_masked(client, tenancy):
    """Without signing in: the masked name and the balance to pay, never the name, address, benefits or
    statement."""
    found = client.get(_find(client, tenancy)["Location"])
    pay = client.get(reverse("payments:pay", args=[tenancy.pk]))
    for page in (found, pay):
        assert page.status_code == 200
        html = page.content.decode()
        assert "Jane Smith" not in html
        assert "4 Mare Street" not in html
        assert "Housing Benefit" not in html
        assert "housing_benefit" not in html
        assert CONTACT not in html
        assert "Service" not in html  # ledger entry descriptions (the statement) are not shown
    assert "Jxxx Sxxxx" in found.content.decode()
    for name in ("payments:account", "payments:statement"):
        response = client.get(reverse(name, args=[tenancy.pk]))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert client.get(reverse("payments:link", args=[tenancy.pk])).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_one_code_entered_twice_at_once_links_once(resident, other_resident, account):
    code = services.account_link_code_issue_letter(account=account, actor=None)
    results, barrier = [], threading.Barrier(2)

    def attempt(user):
        barrier.wait()
        try:
            services.account_link_with_code(
                user=user, account=account, code=code, client_key=f"t{user.pk}", actor=user
            )
            results.append("linked")
        except ApplicationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in (resident, other_resident)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["linked", "refused"]
    assert AccountLink.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_the_demo_still_lets_a_demo_tenant_link_an_account_with_the_posted_demo_code(client, other_resident):
    from django.core.management import call_command

    from hackney_portal.devservices.demo_logins import DEMO_RENT_LINK_CODES

    call_command("seed_demo")
    account = rent.RentAccount.objects.get(reference="2345678901")
    assert account.contact_email
    client.force_login(other_resident)
    client.post(reverse("payments:start"), {"reference": "2345678901", "postcode": "E5 0LL"})
    response = _enter(client, account, DEMO_RENT_LINK_CODES["2345678901"])
    assert response["Location"] == reverse("payments:account", args=[account.pk])
    # Used once; seeding again issues it again, and nothing is duplicated.
    call_command("seed_demo")
    assert rent.AccountLinkCode.objects.filter(account=account, used_at__isnull=True).count() == 1
    # The demo resident's own account is linked already and its tenancy contact is the demo resident.
    linked = rent.RentAccount.objects.get(reference="1234567890")
    assert linked.links.filter(user__email="resident@example.com").exists()


@pytest.mark.django_db
def test_a_code_for_a_letter_is_issued_by_command_and_audited(resident, account):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("rent_link_letter", account.reference, stdout=out)
    code = out.getvalue().strip().split("\t")[-1]
    assert re.fullmatch(r"\d{6}", code)
    assert AuditEvent.objects.filter(action="payments.account.link_code_letter").exists()
    services.account_link_with_code(user=resident, account=account, code=code, client_key="x", actor=resident)
    assert _linked(resident, account)
