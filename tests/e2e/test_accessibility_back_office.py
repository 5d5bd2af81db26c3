"""The back office's main list, record and action pages pass axe (WCAG 2.2 AA tags, target size included) at
1280 px and at 320 px (issue 20 item 5), in the council's brand with GOV.UK focus states."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import staff_login
from tests.e2e.conftest import AXE_TAGS


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [
        f"{page.url} @ {page.viewport_size['width']}px: {v['id']} ({v['help']}) -> "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


@pytest.fixture
def back_office(browser, live_server, transactional_db, resident, make_staff):
    """A signed-in administrator (two-factor done) and a record of each kind the main pages list."""
    from hackney_portal.users import roles
    from payments.models import Payment
    from tests.core.test_your_home import resident_using_everything

    made = resident_using_everything(resident, make_staff("officer@example.org", roles.HOUSING_OFFICERS))
    made["payment"] = Payment.objects.create(
        account=made["account"], reference="PAY-BACKOFFICE", amount_pence=12_345, status="succeeded"
    )
    client = Client()
    staff_login(client, make_staff("admin@example.org", superuser=True))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    contexts = []

    def open_at(width: int):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield made, open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_main_back_office_pages_pass_axe(back_office, width):
    made, open_at = back_office
    page = open_at(width)
    paths = [
        reverse("admin:index"),
        reverse("admin:payments_dashboard"),
        reverse("admin:payments_rentaccount_changelist"),
        reverse("admin:payments_rentaccount_change", args=[made["account"].pk]),
        reverse("admin:payments_payment_changelist"),
        reverse("admin:payments_payment_change", args=[made["payment"].pk]),
        reverse("admin:payments_payment_refund", args=[made["payment"].pk]),
        reverse("admin:payments_ledgerentry_changelist"),
        reverse("admin:payments_discrepancy_changelist"),
        reverse("admin:homelessness_case_changelist"),
        reverse("admin:homelessness_case_change", args=[made["case"].pk]),
        reverse("admin:employment_opportunity_changelist"),
        reverse("admin:employment_opportunity_change", args=[made["application"].opportunity_id]),
        reverse("admin:employment_application_changelist"),
        reverse("admin:core_auditevent_changelist"),
    ]
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        problems += _violations(page)
    # An action page with errors: the refund form sent empty.
    page.goto(reverse("admin:payments_payment_refund", args=[made["payment"].pk]))
    page.locator("#content form [type=submit]").first.click()
    # click() does not wait for the answer to the POST: wait for the error to be drawn (or time out and fail).
    page.locator(".errorlist, .errornote").first.wait_for(timeout=15_000)
    problems += _violations(page)
    assert not problems, "\n".join(problems)


def test_back_office_is_in_the_councils_brand_with_govuk_focus(back_office):
    _, open_at = back_office
    page = open_at(1280)
    page.goto(reverse("admin:payments_payment_changelist"))
    styles = page.evaluate(
        """() => {
          const s = (el, p) => getComputedStyle(el).getPropertyValue(p);
          const header = document.querySelector('#header');
          const button = document.querySelector('#changelist-search [type=submit]');
          return {header: s(header, 'background-color'), body: s(document.body, 'font-size'),
                  button: s(button, 'background-color'), radius: s(button, 'border-radius')};
        }"""
    )
    # The council's brand colour (settings COUNCIL["brand_colour"], #00664f) heads the page.
    assert styles["header"] == "rgb(0, 102, 79)"
    assert styles["body"] == "16px"
    assert styles["button"] == "rgb(15, 122, 82)"  # GOV.UK's green button
    assert styles["radius"] == "0px"
    # Keyboard focus on a link is the GOV.UK focus state in the council's focus colour, with a black bar.
    colour = settings.COUNCIL["focus_colour"]
    expected = "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))
    for link in (page.locator("#result_list tbody a").first, page.locator("#result_list thead a").first):
        link.focus()
        assert link.evaluate("el => getComputedStyle(el).backgroundColor") == expected
        assert "rgb(11, 12, 12) 0px 4px 0px" in link.evaluate("el => getComputedStyle(el).boxShadow")
    # Dark mode and its toggle are gone: one light theme, as on the resident pages.
    assert page.locator(".theme-toggle:visible").count() == 0
