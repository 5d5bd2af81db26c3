"""Issue 17 item 6: employers see and change their own listings; changes to a live listing wait for a
moderator while the live version stays; employers are emailed on publish and on rejection."""

import pytest
from django.urls import reverse

from employment import services
from employment.models import Opportunity
from hackney_portal.core.exceptions import ApplicationError
from hackney_portal.users import roles
from tests.conftest import make_user, staff_login
from tests.employment.test_employers_and_inbox import _listing_post


def _submitted(employer, title="Line cook", **over):
    return _listing_post(**{"title": title, "pay_min": "15.00", "pay_max": "16.00", **over})


@pytest.fixture
def employer(db):
    return make_user("boss@example.org", groups=[roles.EMPLOYERS], name="Kitchen Ltd")


@pytest.fixture
def other_employer(db):
    return make_user("rival@example.org", groups=[roles.EMPLOYERS], name="Rival Ltd")


def _post_new(client, user, title="Line cook", **over):
    client.force_login(user)
    response = client.post(reverse("employment:employer_new"), _submitted(user, title, **over))
    assert response.status_code == 200, response.content
    return Opportunity.objects.get(title=title)


def _mails(mailbox, to):
    return [m for m in mailbox if m.to == [to]]


@pytest.mark.django_db
def test_search_page_links_to_advertise_an_opportunity(client):
    html = client.get(reverse("employment:search")).content.decode()
    assert f'href="{reverse("employment:employer_new")}">Advertise an opportunity</a>' in html


@pytest.mark.django_db
def test_employers_see_only_their_own_listings(client, employer, other_employer, resident):
    _post_new(client, employer, "Line cook")
    _post_new(client, other_employer, "Rival barista")
    client.force_login(employer)
    html = client.get(reverse("employment:employer_listings")).content.decode()
    assert "Line cook" in html
    assert "Waiting for review" in html
    assert "Rival barista" not in html
    client.force_login(resident)  # not an employer
    assert client.get(reverse("employment:employer_listings")).status_code == 403


@pytest.mark.django_db
def test_employer_is_emailed_on_publish_and_on_rejection(
    client, employer, make_staff, mailbox, django_capture_on_commit_callbacks
):
    opp = _post_new(client, employer, "Line cook")
    other = _post_new(client, employer, "Pot washer")
    moderator = make_staff("mod@example.org", roles.JOBS_MODERATORS)
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_publish(opp_id=opp.pk, actor=moderator)
        services.opportunity_reject(opp_id=other.pk, reason="Say where the job is", actor=moderator)
    subjects = {m.subject: m.body for m in _mails(mailbox, "boss@example.org")}
    live = subjects['Your listing "Line cook" is live']
    assert f"/jobs/{opp.pk}/" in live
    assert "Say where the job is" in subjects['Your listing "Pot washer" was not published']


@pytest.mark.django_db
def test_changes_to_a_live_listing_wait_for_a_moderator_and_the_live_version_stays(
    client, employer, make_staff, mailbox, django_capture_on_commit_callbacks
):
    opp = _post_new(client, employer, "Line cook")
    moderator = make_staff("mod@example.org", roles.JOBS_MODERATORS)
    services.opportunity_publish(opp_id=opp.pk, actor=moderator)

    client.force_login(employer)
    edit = reverse("employment:employer_edit", args=[opp.pk])
    form = client.get(edit).content.decode()
    assert 'value="Line cook"' in form  # filled in from the listing
    assert "**Great** job" in form  # what the employer typed, not the HTML
    response = client.post(edit, _submitted(employer, "Senior line cook", description="Now *senior*"))
    assert "Changes submitted" in response.content.decode()
    opp.refresh_from_db()
    assert (opp.status, opp.title) == ("published", "Line cook")
    assert opp.pending_edit["title"] == "Senior line cook"
    detail = client.get(reverse("employment:detail", args=[opp.pk])).content.decode()
    assert "Senior" not in detail  # jobseekers see the checked version only
    assert "Line cook" in detail
    listings = client.get(reverse("employment:employer_listings")).content.decode()
    assert "Your changes are waiting for review" in listings
    assert 'value="Senior line cook"' in client.get(edit).content.decode()  # the waiting changes

    staff_login(client, moderator)
    admin_url = reverse("admin:employment_opportunity_changelist")
    change = client.get(reverse("admin:employment_opportunity_change", args=[opp.pk])).content.decode()
    assert "Senior line cook" in change  # the moderator sees what would change
    with django_capture_on_commit_callbacks(execute=True):
        client.post(admin_url, {"action": "approve_edits", "_selected_action": [opp.pk]})
    opp.refresh_from_db()
    assert (opp.status, opp.title, opp.pending_edit) == ("published", "Senior line cook", None)
    assert "<em>senior</em>" in opp.description_html
    assert any("are live" in m.subject for m in _mails(mailbox, "boss@example.org"))

    # A second change is turned down: the live version stays and the employer is told why.
    client.force_login(employer)
    client.post(edit, _submitted(employer, "Free lunch cook"))
    staff_login(client, moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            admin_url,
            {
                "action": "reject_edits",
                "_selected_action": [opp.pk],
                "apply": "1",
                "reason": "No adverts in titles",
            },
        )
    opp.refresh_from_db()
    assert (opp.title, opp.pending_edit, opp.edit_rejection_reason) == (
        "Senior line cook",
        None,
        "No adverts in titles",
    )
    (rejected,) = [m for m in _mails(mailbox, "boss@example.org") if "were not published" in m.subject]
    assert "No adverts in titles" in rejected.body


@pytest.mark.django_db
def test_another_employer_cannot_see_or_change_a_listing(client, employer, other_employer):
    opp = _post_new(client, employer, "Line cook")
    client.force_login(other_employer)
    edit = reverse("employment:employer_edit", args=[opp.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, _submitted(other_employer, "Hijacked")).status_code == 404
    opp.refresh_from_db()
    assert opp.title == "Line cook"
    with pytest.raises(Opportunity.DoesNotExist):
        services.listing_edit(actor=other_employer, opp_id=opp.pk, description="x", title="Hijacked")


@pytest.mark.django_db
def test_a_rejected_listing_changed_goes_back_to_the_queue(client, employer, make_staff):
    opp = _post_new(client, employer, "Line cook")
    services.opportunity_reject(opp_id=opp.pk, reason="Add the hours", actor=None)
    client.force_login(employer)
    assert "Add the hours" in client.get(reverse("employment:employer_listings")).content.decode()
    client.post(
        reverse("employment:employer_edit", args=[opp.pk]), _submitted(employer, "Line cook, 37.5 hours")
    )
    opp.refresh_from_db()
    assert (opp.status, opp.title, opp.pending_edit) == ("submitted", "Line cook, 37.5 hours", None)


@pytest.mark.django_db
def test_a_change_below_the_minimum_needs_a_moderators_reason(client, employer, make_staff):
    opp = _post_new(client, employer, "Line cook")
    moderator = make_staff("mod@example.org", roles.JOBS_MODERATORS)
    services.opportunity_publish(opp_id=opp.pk, actor=moderator)
    client.force_login(employer)
    client.post(
        reverse("employment:employer_edit", args=[opp.pk]),
        _submitted(employer, "Line cook", pay_min="5.00", pay_max="5.00"),
    )
    opp.refresh_from_db()
    assert (opp.below_minimum_wage, opp.pay_max_pence) == (False, 1600)  # the live version is unchanged
    staff_login(client, moderator)
    asked = client.post(
        reverse("admin:employment_opportunity_changelist"),
        {"action": "approve_edits", "_selected_action": [opp.pk]},
    )
    assert "Reason for publishing" in asked.content.decode()
    opp.refresh_from_db()
    assert opp.pay_max_pence == 1600
    services.opportunity_edit_approve(
        opp_id=opp.pk, actor=moderator, wage_override_reason="Trial shift, agreed"
    )
    opp.refresh_from_db()
    assert (opp.pay_max_pence, opp.below_minimum_wage, opp.wage_override_by) == (500, True, moderator)


@pytest.mark.django_db
def test_changes_waiting_when_a_listing_closes_go_with_it(client, employer):
    opp = _post_new(client, employer, "Line cook")
    services.opportunity_publish(opp_id=opp.pk, actor=None)
    client.post(reverse("employment:employer_edit", args=[opp.pk]), _submitted(employer, "Head line cook"))
    services.opportunity_close(opp_id=opp.pk, actor=None)
    opp.refresh_from_db()
    assert (opp.status, opp.pending_edit) == ("closed", None)
    assert "waiting for review" not in client.get(reverse("employment:employer_listings")).content.decode()
    assert client.get(reverse("employment:employer_edit", args=[opp.pk])).status_code == 404
    with pytest.raises(ApplicationError):
        services.opportunity_edit_approve(opp_id=opp.pk, actor=None)


# The employer's form refuses postcodes it cannot find.
pytestmark = pytest.mark.usefixtures("known_postcodes")
