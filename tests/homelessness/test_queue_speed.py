"""The officers' queue over a large caseload: a fixed number of queries a page, one audit row a page, and no
exact count of every case (issue 18)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hackney_portal.core.models import AuditEvent
from homelessness import services
from homelessness.admin import queue
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db

# The user, the two-factor check (once a request), their permissions (2), their group names
# (one query: `roles.group_names` keeps them on the request's user object, where each group check used to
# be a query of its own, 6 a page), the capped count, the page of cases with their officers (one query),
# and the one audit row. A change here is a change in what every queue page costs: look at the new query
# before raising the number.
QUEUE_PAGE_QUERIES = 8
# "Due within 7 days" and "overdue" first read which cases have an open review due (a few ids), so the page's
# own two statements can take both halves of "due" from indexes.
DUE_QUEUE_PAGE_QUERIES = QUEUE_PAGE_QUERIES + 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?queue=new",
        "?queue=mine",
        "?queue=urgent",
        "?queue=due7",
        "?queue=overdue",
        "?stage=received",
        "?q=Case",
    ],
)
def test_a_queue_page_costs_the_same_queries_however_many_cases_it_shows(make_case, officer, client, query):
    staff_login(client, officer)
    for i in range(2):
        services.case_assign(case=make_case(name=f"Case {i}"), officer=officer, actor=officer)
    client.get("/admin/homelessness/case/")  # the first page of a session also fills per-process caches
    _, few = _queries(client, "/admin/homelessness/case/" + query)
    for i in range(2, 8):
        case = make_case(name=f"Case {i}", safe_tonight="no" if i % 2 else "yes")
        if i % 3:
            services.case_assign(case=case, officer=officer, actor=officer)
    page, many = _queries(client, "/admin/homelessness/case/" + query)
    expected = DUE_QUEUE_PAGE_QUERIES if query in ("?queue=due7", "?queue=overdue") else QUEUE_PAGE_QUERIES
    assert len(few) == len(many) == expected, "\n".join(q[:160] for q in many)
    assert len([q for q in many if q.startswith('INSERT INTO "core_auditevent"')]) == 1
    if "queue=due7" not in query and "queue=overdue" not in query:
        assert page.context_data["cl"].result_list  # the page did list cases


def test_the_count_stops_at_the_cap_and_says_more_than(make_case, officer, client, monkeypatch):
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    staff_login(client, officer)
    for i in range(5):
        make_case(name=f"Case {i}")
    page, sql = _queries(client, "/admin/homelessness/case/")
    counts = [q for q in sql if "COUNT(" in q.upper()]
    assert counts
    assert all("LIMIT 4" in q for q in counts), counts  # never an exact count over the whole table
    assert not [q for q in counts if "ORDER BY" in q], counts  # nor a sort of every matching case
    body = page.content.decode()
    assert "More than 3 cases" in body
    assert len(page.context_data["cl"].result_list) == 5
    listed = AuditEvent.objects.filter(action="homelessness.case.listed").latest("id")
    assert len(listed.data["references"]) == 5
    # Under the cap the exact number is shown as before.
    monkeypatch.setattr(queue, "COUNT_CAP", 1000)
    assert "5 cases" in client.get("/admin/homelessness/case/").content.decode()


def test_the_queue_rows_say_what_the_admins_own_cells_said(make_case, officer, client):
    """The rows are built in one pass (`queue.queue_table`) instead of Django's per-cell rendering: each cell
    must still say what the admin's did, link each case to its page with the officer's filters kept, and
    escape what applicants typed."""
    import datetime as dt
    import re

    from django.contrib.admin.templatetags.admin_list import results

    from homelessness.models import Case

    staff_login(client, officer)
    hostile = make_case(name='<script>alert("x")</script> & Co')
    services.case_assign(case=hostile, officer=officer, actor=officer)
    make_case(name="Not Assigned")
    overdue = make_case(name="Over Due", safe_tonight="no")
    services.case_assign(case=overdue, officer=officer, actor=officer)
    Case.objects.filter(pk=overdue.pk).update(stage="prevention", duty_deadline=dt.date(2020, 1, 1))
    page = client.get("/admin/homelessness/case/?stage__exact=prevention&o=2")
    body = page.content.decode()
    assert "<script>alert" not in body
    cl = page.context_data["cl"]
    ours = page.context_data["queue_results"]
    # The queue reads named rows; the admin's own cells are drawn from the same cases as model instances.
    cl.result_list = [Case.objects.select_related("assigned_to").get(pk=row.pk) for row in cl.result_list]
    theirs = list(results(cl))
    assert len(ours) == len(theirs) == 1

    def cells(html: str) -> list[str]:
        return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html)]

    mine, admin_cells = cells(ours[0]), cells("".join(str(c) for c in theirs[0]))
    assert mine[:-1] == admin_cells[:-1]  # every column but the date, which is now written the GOV.UK way
    assert "overdue" in mine[4]
    link = re.search(r'href="([^"]+)"', ours[0]).group(1)
    assert link == re.search(r'href="([^"]+)"', str(theirs[0][0])).group(1)
    assert "_changelist_filters=" in link
    # All three cases on the unfiltered queue, hostile name escaped.
    everything = client.get("/admin/homelessness/case/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in everything
    assert everything.count('<th class="field-reference">') == 3


def test_a_case_is_due_by_its_duty_deadline_or_by_an_open_review(make_case, officer, client):
    import datetime as dt

    from django.utils import timezone

    from homelessness.models import Case, DecisionLetter
    from homelessness.rules import AssessmentOutcome, CloseReason, Stage

    today = timezone.localdate()
    staff_login(client, officer)

    def refs(name):
        page = client.get(f"/admin/homelessness/case/?queue={name}")
        return {c.reference for c in page.context_data["cl"].result_list}

    reviewed = make_case(name="Reviewed")
    services.case_assign(case=reviewed, officer=officer, actor=officer)
    services.case_record_assessment(
        case=reviewed, actor=officer, eligible=True, outcome=AssessmentOutcome.THREATENED
    )
    services.case_move(
        case=reviewed, actor=officer, to_stage=Stage.CLOSED, end_reason=CloseReason.NOT_HOMELESS, reasons="R."
    )
    letter = DecisionLetter.objects.get(case=reviewed)
    review = services.review_request(
        letter=letter, actor=officer, requested_on=letter.issued_on, kind="standard"
    )
    duty = make_case(name="Duty")
    services.case_assign(case=duty, officer=officer, actor=officer)
    Case.objects.filter(pk=duty.pk).update(stage=Stage.PREVENTION, duty_deadline=today + dt.timedelta(days=3))
    # A closed case whose old deadline has passed is not overdue: only a duty's deadline counts.
    old = make_case(name="Old")
    Case.objects.filter(pk=old.pk).update(duty_deadline=today - dt.timedelta(days=3))

    type(review).objects.filter(pk=review.pk).update(due_on=today + dt.timedelta(days=2))
    assert refs("due7") == {reviewed.reference, duty.reference}
    assert refs("overdue") == set()
    type(review).objects.filter(pk=review.pk).update(due_on=today - dt.timedelta(days=1))
    Case.objects.filter(pk=duty.pk).update(duty_deadline=today - dt.timedelta(days=1))
    assert refs("due7") == set()
    assert refs("overdue") == {reviewed.reference, duty.reference}
