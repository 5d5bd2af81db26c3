"""Multi-page journeys say which step you are on and let you go back without losing answers (issue 20
item 6): the housing application counts its questions over the pages the answers lead to; paying rent is
two steps."""

import re

import pytest
from django.test import Client

from homelessness import intake


def _caption(page: str) -> str:
    # The caption is one line of the page (it holds a visually hidden span of its own).
    caption = re.search(r'<span class="govuk-caption-l">(.*)</span>\s*$', page, re.M)
    seen = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", caption.group(1))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", seen)).strip()


@pytest.mark.django_db
def test_housing_application_says_question_n_of_m_and_back_keeps_answers():
    client = Client()
    client.get("/housing-help/apply/")
    first = intake.STEPS[0]
    page = client.get(f"/housing-help/apply/{first.slug}/").content.decode()
    total = len(intake.applicable_steps({}))
    assert _caption(page).startswith(f"Question 1 of {total} –")

    # Answer the first page, for themselves; the second page then says "Question 2 of N".
    response = client.post(f"/housing-help/apply/{first.slug}/", {"who": "self"})
    assert response.status_code == 302, response.content.decode()[:2000]
    second = response["Location"]
    page = client.get(second).content.decode()
    assert re.match(r"Question 2 of \d+ –", _caption(page))
    # Back goes to the first page, and the answer given there is still chosen.
    back = re.search(r'<a href="([^"]+)" class="govuk-back-link">Back</a>', page).group(1)
    assert back == f"/housing-help/apply/{first.slug}/"
    again = client.get(back).content.decode()
    assert re.search(r'value="self" checked', again)


@pytest.mark.django_db
def test_paying_rent_is_step_1_of_2(resident):
    from payments import services
    from tests.core.test_your_home import _rent_account

    account = _rent_account("3333333333", owed_pence=15_000)
    services.account_link(user=resident, account=account, actor=None)
    client = Client()
    client.force_login(resident)
    page = client.get(f"/pay-rent/accounts/{account.pk}/pay/").content.decode()
    assert _caption(page) == "Step 1 of 2 – Rent account 3333333333"
