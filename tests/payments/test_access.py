import uuid

import pytest
from django.urls import reverse

from hackney_portal.core.models import AuditEvent
from hackney_portal.users import roles
from payments import services
from tests.conftest import staff_login
from tests.payments.conftest import start_payment


@pytest.fixture
def linked(resident, account):
    services.account_link(user=resident, account=account, actor=resident)
    return account


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["payments:account", "payments:statement", "payments:pay", "payments:found"])
def test_another_residents_account_is_404_by_changing_the_id(client, other_resident, linked, name):
    client.force_login(other_resident)
    assert client.get(reverse(name, args=[linked.pk])).status_code == 404


@pytest.mark.django_db
def test_another_residents_payment_is_404(client, resident, other_resident, linked):
    payment = start_payment(linked, user=resident)
    client.force_login(other_resident)
    assert client.get(reverse("payments:status", args=[payment.reference])).status_code == 404
    assert client.get(reverse("payments:card", args=[payment.reference])).status_code == 404
    assert (
        client.post(reverse("payments:card", args=[payment.reference]), {"card_token": "tok_x"}).status_code
        == 404
    )
    client.force_login(resident)
    assert client.get(reverse("payments:status", args=[payment.reference])).status_code == 200


@pytest.mark.django_db
def test_linking_needs_the_account_found_in_this_session(client, other_resident, linked):
    client.force_login(other_resident)
    assert client.post(reverse("payments:link", args=[linked.pk])).status_code == 404
    assert not linked.links.filter(user=other_resident).exists()


@pytest.mark.django_db
def test_unlinked_account_is_no_longer_visible(client, resident, linked):
    client.force_login(resident)
    assert client.get(reverse("payments:account", args=[linked.pk])).status_code == 200
    client.post(reverse("payments:unlink", args=[linked.pk]))
    assert client.get(reverse("payments:account", args=[linked.pk])).status_code == 404


@pytest.mark.django_db
def test_signed_out_visitor_is_sent_to_sign_in_for_statements(client, linked):
    response = client.get(reverse("payments:statement", args=[linked.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_finance_officer_sees_what_the_tenant_sees_and_it_is_audited(client, make_staff, account):
    officer = make_staff("finance@example.org", roles.FINANCE_OFFICERS)
    staff_login(client, officer)
    response = client.get(reverse("admin:payments_rentaccount_tenant_view", args=[account.pk]))
    assert response.status_code == 200
    assert "Rent account 1234567890" in response.content.decode()
    event = AuditEvent.objects.get(action="payments.account.tenant_view")
    assert (event.actor, event.object_id) == (officer, str(account.pk))
    assert client.get(reverse("admin:payments_payment_changelist") + "?q=1234567890").status_code == 200


@pytest.mark.django_db
def test_housing_officer_cannot_see_rent_accounts(client, make_staff, account):
    officer = make_staff("housing@example.org", roles.HOUSING_OFFICERS)
    staff_login(client, officer)
    assert client.get(reverse("admin:payments_rentaccount_changelist")).status_code == 403
    assert client.get(reverse("admin:payments_rentaccount_tenant_view", args=[account.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="payments.account.tenant_view").exists()


@pytest.mark.django_db
def test_ledger_cannot_be_edited_from_the_admin(client, make_staff, account):
    staff_login(client, make_staff("finance2@example.org", roles.FINANCE_OFFICERS))
    entry = account.entries.first()
    url = reverse("admin:payments_ledgerentry_change", args=[entry.pk])
    response = client.post(url, {"amount_pence": 1})
    assert response.status_code == 403


@pytest.mark.django_db
def test_tenant_view_covers_account_statement_and_payments_with_a_banner_and_a_way_back(
    client, make_staff, account, other_account
):
    from payments.models import Payment

    paid = Payment.objects.create(
        account=account,
        reference="RP-TENANTVIEW",
        attempt_key=str(uuid.uuid4()),
        amount_pence=2_500,
        status="succeeded",
    )
    Payment.objects.create(
        account=other_account, reference="RP-NOTTHISONE", attempt_key=str(uuid.uuid4()), amount_pence=100
    )
    officer = make_staff("finance@example.org", roles.FINANCE_OFFICERS)
    staff_login(client, officer)
    back = reverse("admin:payments_rentaccount_change", args=[account.pk])
    pages = {
        "account": reverse("admin:payments_rentaccount_tenant_view", args=[account.pk]),
        "statement": reverse("admin:payments_rentaccount_tenant_statement", args=[account.pk]),
        "payments": reverse("admin:payments_rentaccount_tenant_payments", args=[account.pk]),
    }
    for page, url in pages.items():
        html = client.get(url).content.decode()
        assert 'id="staff-view-banner"' in html, page
        assert "Staff view" in html, page
        # The Back link returns to the account in the back office, never to the resident's start page.
        assert f'href="{back}" class="govuk-back-link"' in html, page
        for other in pages.values():
            assert other == url or f'href="{other}"' in html, (page, other)
        # Nothing a resident does (pay, unlink, download) is offered to staff.
        assert reverse("payments:pay", args=[account.pk]) not in html, page
        assert reverse("payments:unlink", args=[account.pk]) not in html, page
        assert "format=csv" not in html, page
    assert "Rent statement" in client.get(pages["statement"]).content.decode()
    payments_html = client.get(pages["payments"]).content.decode()
    assert paid.reference in payments_html
    assert "RP-NOTTHISONE" not in payments_html
    assert reverse("admin:payments_payment_change", args=[paid.pk]) in payments_html
    seen = AuditEvent.objects.filter(action="payments.account.tenant_view", actor=officer)
    assert sorted(e.data["page"] for e in seen) == sorted([*pages, "statement", "payments"])
