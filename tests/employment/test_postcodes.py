"""Issue 17 item 11: the ONS Postcode Directory loader, the shipped table for Hackney and its neighbours,
a search by outcode alone, and listings refused when their postcode is not found."""

import csv
import datetime as dt
import gzip
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from employment.models import Opportunity, Outcode, Postcode
from hackney_portal.core.calendar import business_date
from hackney_portal.users import roles
from tests.conftest import make_user
from tests.employment.test_employers_and_inbox import _listing_post
from tests.employment.test_search import listing

# The real ONSPD header (ONSPD_MAY_2025), columns in the published order.
ONSPD_COLUMNS = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oscty",
    "ced",
    "oslaua",
    "osward",
    "parish",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oshlthau",
    "nhser",
    "ctry",
    "rgn",
    "streg",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "statsward",
    "oa21",
    "casward",
    "npark",
    "lsoa21",
    "msoa21",
    "ur01ind",
    "oac11",
    "oa11",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua24",
    "ru11ind",
    "oac21",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "hlthau",
    "nhsrlo",
]
HACKNEY, WALTHAM_FOREST, ELSEWHERE = "E09000012", "E09000031", "E06000001"


def _onspd(path, rows, *, gz=False):
    """An ONSPD-shaped file: every real column, most of them empty. Real postcodes carry their real
    positions (from the shipped table); made-up ones are in the ZZ area, which does not exist."""
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=ONSPD_COLUMNS)
        writer.writeheader()
        for pcds, authority, lat, lon, doterm in rows:
            writer.writerow(
                {"pcd": pcds, "pcds": pcds, "oslaua": authority, "lat": lat, "long": lon, "doterm": doterm}
            )
    return path


@pytest.mark.django_db
def test_the_loader_streams_an_onspd_file_and_keeps_live_postcodes_in_the_chosen_areas(tmp_path, settings):
    settings.COUNCIL = {**settings.COUNCIL, "postcode_local_authorities": [HACKNEY, WALTHAM_FOREST]}
    first = _onspd(
        tmp_path / "ONSPD_MAY_2025_UK.csv",
        [
            ("E8 1EA", HACKNEY, "51.545033", "-0.056407", ""),
            ("E8 1HE", HACKNEY, "51.545146", "-0.055061", ""),
            ("E17 4PP", WALTHAM_FOREST, "51.590586", "-0.018517", ""),
            ("ZZ1 1AA", ELSEWHERE, "54.6", "-1.2", ""),  # another area: left out
            ("ZZ2 2BB", HACKNEY, "51.55", "-0.06", "202001"),  # terminated
            ("ZZ3 3CC", HACKNEY, "99.999999", "0.000000", ""),  # no grid reference
            ("not a postcode", HACKNEY, "51.5", "-0.05", ""),
        ],
    )
    call_command("load_postcodes", str(first), "--batch", "2", verbosity=0)
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"E8 1EA", "E8 1HE", "E17 4PP"}
    assert Postcode.objects.get(postcode="E8 1EA").local_authority == HACKNEY
    e8 = Outcode.objects.get(outcode="E8")
    assert (e8.postcodes, round(e8.latitude, 6)) == (2, round((51.545033 + 51.545146) / 2, 6))

    # Next month's file, gzipped: E8 1HE has been terminated and E8 1EA has moved a little.
    later = _onspd(
        tmp_path / "ONSPD_AUG_2025_UK.csv.gz",
        [
            ("E8 1EA", HACKNEY, "51.545100", "-0.056400", ""),
            ("E8 1HE", HACKNEY, "51.545146", "-0.055061", "202507"),
        ],
        gz=True,
    )
    call_command("load_postcodes", str(later), verbosity=0)
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {"E8 1EA", "E17 4PP"}
    assert Postcode.objects.get(postcode="E8 1EA").latitude == 51.5451
    assert Outcode.objects.get(outcode="E8").postcodes == 1

    # Chosen on the command line instead, or every area.
    call_command("load_postcodes", str(first), "--local-authority", ELSEWHERE, verbosity=0)
    assert Postcode.objects.filter(postcode="ZZ1 1AA").exists()


@pytest.mark.django_db
def test_the_shipped_table_covers_hackney_and_its_neighbours():
    started = time.monotonic()
    call_command("load_postcodes", verbosity=0)
    assert time.monotonic() - started < 60
    assert Postcode.objects.count() > 30_000
    town_hall = Postcode.objects.get(postcode="E8 1EA")
    assert (round(town_hall.latitude, 3), round(town_hall.longitude, 3)) == (51.545, -0.056)
    # Hackney, Islington, Haringey, Waltham Forest, Newham, Tower Hamlets and the City.
    for district in ("E8", "N16", "N1", "N17", "E17", "E15", "E1", "EC2A"):
        assert Outcode.objects.get(outcode=district).postcodes > 50, district


@pytest.mark.django_db
def test_an_outcode_alone_searches_from_the_centre_of_its_district(client):
    call_command("load_postcodes", verbosity=0)
    listing("Dalston chef", postcode="E8 2LX")
    listing("Walthamstow chef", postcode="E17 4PP")
    html = client.get(reverse("employment:search"), {"q": "chef", "postcode": "e8", "distance": "2"}).content
    html = html.decode()
    assert "Dalston" in html  # the title is highlighted: Dalston <mark>chef</mark>
    assert "Walthamstow" not in html
    assert "miles away" in html
    unknown = client.get(reverse("employment:search"), {"q": "chef", "postcode": "ZZ9", "distance": "2"})
    assert "We do not recognise that postcode" in unknown.content.decode()


@pytest.mark.django_db
def test_a_listing_whose_postcode_is_not_found_is_refused_with_a_clear_message(client):
    call_command("load_postcodes", verbosity=0)
    employer = make_user("boss@example.org", groups=[roles.EMPLOYERS])
    client.force_login(employer)
    url = reverse("employment:employer_new")
    html = client.post(url, _listing_post(postcode="E8 9ZZ", pay_min="15", pay_max="15")).content.decode()
    assert "We cannot find the postcode E8 9ZZ" in html
    assert "There is a problem" in html
    html = client.post(url, _listing_post(postcode="E8", pay_min="15", pay_max="15")).content.decode()
    assert "Enter the full postcode of the workplace" in html
    assert not Opportunity.objects.exists()
    client.post(url, _listing_post(postcode="e82lx", pay_min="15", pay_max="15"))
    opp = Opportunity.objects.get()
    assert (opp.postcode, opp.latitude is not None) == ("E8 2LX", True)


@pytest.mark.django_db
def test_the_admin_refuses_a_postcode_it_cannot_find(client, make_staff):
    from tests.conftest import staff_login

    opp = listing("Porter")
    call_command("load_postcodes", verbosity=0)
    staff_login(client, make_staff("mod@example.org", roles.JOBS_MODERATORS, superuser=True))
    url = reverse("admin:employment_opportunity_change", args=[opp.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "postcode": "E8 9ZZ",
            "closing_date": opp.closing_date.isoformat(),
            "description_html": opp.description_html,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "We cannot find the postcode E8 9ZZ" in response.content.decode()
    opp.refresh_from_db()
    assert opp.postcode == "E8 1EA"


@pytest.mark.django_db
def test_the_create_service_itself_refuses_a_postcode_it_cannot_find(known_postcodes):
    """Issue 17 item 11: not only the forms: the admin, demo data and scripts go through the service."""
    from employment import services
    from hackney_portal.core.exceptions import ApplicationError

    fields = {
        "kind": "job",
        "title": "Porter",
        "summary": "Portering",
        "employer_name": "Acme Ltd",
        "sector": "Hospitality",
        "pay_min_pence": 1500,
        "pay_max_pence": 1500,
        "closing_date": business_date() + dt.timedelta(days=10),
    }
    for postcode, message in [
        ("E8 9ZZ", "We cannot find the postcode E8 9ZZ"),
        ("E8", "Enter the full postcode"),
        ("", "Enter the full postcode"),
    ]:
        with pytest.raises(ApplicationError, match=message) as caught:
            services.opportunity_create(actor=None, description="Portering", postcode=postcode, **fields)
        assert caught.value.field == "postcode"
    assert not Opportunity.objects.exists()
    opp = services.opportunity_create(actor=None, description="Portering", postcode="e82lx", **fields)
    assert (opp.postcode, round(opp.latitude, 2), round(opp.longitude, 2)) == ("E8 2LX", 51.55, -0.07)


@pytest.mark.django_db
def test_an_employers_edit_to_a_postcode_not_found_is_refused_by_the_service(known_postcodes):
    from employment import services
    from hackney_portal.core.exceptions import ApplicationError

    employer = make_user("boss@example.org", groups=[roles.EMPLOYERS])
    opp = listing("Porter", publish=False)
    Opportunity.objects.filter(pk=opp.pk).update(employer=employer)
    with pytest.raises(ApplicationError, match="We cannot find the postcode E8 9ZZ"):
        services.listing_edit(actor=employer, opp_id=opp.pk, description="Portering", postcode="E8 9ZZ")
    services.listing_edit(actor=employer, opp_id=opp.pk, description="Portering", postcode="E17 4PP")
    opp.refresh_from_db()
    assert (opp.postcode, round(opp.latitude, 1)) == ("E17 4PP", 51.6)


@pytest.mark.django_db
def test_a_moderators_new_postcode_moves_the_listing_on_the_map(client, make_staff, known_postcodes):
    from tests.conftest import staff_login

    opp = listing("Porter")
    staff_login(client, make_staff("mod@example.org", roles.JOBS_MODERATORS, superuser=True))
    url = reverse("admin:employment_opportunity_change", args=[opp.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "postcode": "e17 4pp",
            "closing_date": opp.closing_date.isoformat(),
            "description_html": opp.description_html,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    opp.refresh_from_db()
    assert (opp.postcode, round(opp.latitude, 2), round(opp.longitude, 2)) == ("E17 4PP", 51.59, -0.02)
