"""Demo listings of every kind around the borough (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from hackney_portal.core.calendar import business_date

from .models import Opportunity, Synonym
from .services import opportunity_create, opportunity_publish, opportunity_submit

K, C, H, P = Opportunity.Kind, Opportunity.Contract, Opportunity.Hours, Opportunity.PayPeriod
LISTINGS = [
    (
        "Chef de partie",
        "Dalston Kitchen Co-op",
        K.JOB,
        "Hospitality",
        C.PERMANENT,
        H.FULL_TIME,
        1450,
        1600,
        P.HOUR,
        True,
        True,
        False,
        "E8 2LX",
        "Cook seasonal dishes in a busy community kitchen. Food hygiene level 2 helps.",
    ),
    (
        "Commis chef",
        "Broadway Market Bistro",
        K.JOB,
        "Hospitality",
        C.PERMANENT,
        H.FULL_TIME,
        1385,
        1385,
        P.HOUR,
        True,
        False,
        True,
        "E8 4QJ",
        "Start your cooking career. No experience needed: full training given.",
    ),
    (
        "Kitchen porter",
        "Mare Street Canteen",
        K.JOB,
        "Hospitality",
        C.ZERO_HOURS,
        H.PART_TIME,
        1221,
        1221,
        P.HOUR,
        False,
        False,
        True,
        "E8 1HE",
        "Washing up, cleaning and helping the cooks at busy times.",
    ),
    (
        "Care assistant (nights)",
        "Clapton Care Home",
        K.JOB,
        "Health and social care",
        C.PERMANENT,
        H.FULL_TIME,
        2650000,
        2900000,
        P.YEAR,
        True,
        True,
        True,
        "E5 8BP",
        "Support older residents overnight. Paid training.",
    ),
    (
        "Customer service adviser",
        "Hackney Energy Co-op",
        K.JOB,
        "Customer service",
        C.FIXED_TERM,
        H.PART_TIME,
        2400000,
        2400000,
        P.YEAR,
        True,
        True,
        False,
        "E9 6PP",
        "Answer calls and emails about community energy.",
    ),
    (
        "Level 3 electrician apprenticeship",
        "Lea Valley Builders",
        K.APPRENTICESHIP,
        "Construction",
        C.FIXED_TERM,
        H.FULL_TIME,
        2000000,
        2000000,
        P.YEAR,
        True,
        True,
        True,
        "E5 9ND",
        "Four-year apprenticeship with college one day a week. Level 3 qualification.",
    ),
    (
        "Digital marketing apprenticeship",
        "Shoreditch Studio",
        K.APPRENTICESHIP,
        "Creative and digital",
        C.FIXED_TERM,
        H.FULL_TIME,
        2250000,
        2250000,
        P.YEAR,
        True,
        False,
        True,
        "N1 6AH",
        "Level 4 apprenticeship over 15 months.",
    ),
    (
        "Retail work placement",
        "Kingsland Shopping Centre",
        K.PLACEMENT,
        "Retail",
        C.TEMPORARY,
        H.PART_TIME,
        0,
        0,
        P.NONE,
        False,
        True,
        True,
        "E8 2LX",
        "Four weeks' experience on the shop floor, with a reference.",
    ),
    (
        "Food bank volunteer",
        "Hackney Food Bank",
        K.VOLUNTEERING,
        "Charity",
        C.NONE,
        H.FLEXIBLE,
        0,
        0,
        P.NONE,
        False,
        False,
        True,
        "E8 3DL",
        "Sort and pack food parcels. Any number of hours a week.",
    ),
    (
        "Food hygiene level 2 course",
        "Hackney Adult Learning",
        K.TRAINING,
        "Hospitality",
        C.NONE,
        H.PART_TIME,
        0,
        0,
        P.NONE,
        False,
        False,
        True,
        "E8 1DY",
        "Free one-day course for residents. Certificate on the day.",
    ),
    (
        "Jobs fair: construction and green skills",
        "Hackney Works",
        K.EVENT,
        "Construction",
        C.NONE,
        H.FLEXIBLE,
        0,
        0,
        P.NONE,
        False,
        False,
        True,
        "E8 1EA",
        "Meet local employers hiring now. Bring your CV.",
    ),
    (
        "Warehouse operative",
        "Hackney Wick Logistics",
        K.JOB,
        "Logistics",
        C.TEMPORARY,
        H.FULL_TIME,
        1390,
        1500,
        P.HOUR,
        True,
        False,
        True,
        "E9 5EN",
        "Picking and packing. HGV and forklift licence holders welcome.",
    ),
]


def demo_load(*, users: dict) -> None:
    from django.core.management import call_command

    from .models import Postcode

    moderator = users.get("jobs moderator")
    # The shipped table, once (a few seconds): every demo listing's postcode must be found, as the
    # listing services refuse one that is not.
    wanted = {row[-2] for row in LISTINGS}  # each row ends with postcode, text
    if Postcode.objects.filter(postcode__in=wanted).count() < len(wanted):
        call_command("load_postcodes", verbosity=0)
    today = business_date()
    for syn, alts in (
        ("chef", "cook, kitchen"),
        ("hgv", "lgv, lorry"),
        ("carer", "care assistant, care worker"),
    ):
        Synonym.objects.get_or_create(term=syn, defaults={"alternatives": alts})
    for i, (
        title,
        employer,
        kind,
        sector,
        contract,
        hours,
        lo,
        hi,
        period,
        llw,
        dc,
        noexp,
        pc,
        text,
    ) in enumerate(LISTINGS):
        if Opportunity.objects.filter(title=title, employer_name=employer).exists():
            continue
        with transaction.atomic():
            opp = opportunity_create(
                actor=users.get("employer"),
                description=text,
                kind=kind,
                title=title,
                employer_name=employer,
                summary=text,
                sector=sector,
                contract=contract,
                hours=hours,
                pay_min_pence=lo,
                pay_max_pence=hi,
                pay_period=period,
                # Yearly pay is checked per hour over the stated hours (demo listings state them).
                hours_per_week=(37.5 if hours == H.FULL_TIME else 20) if period == P.YEAR else None,
                london_living_wage=llw,
                disability_confident=dc,
                no_experience_needed=noexp,
                postcode=pc,
                address="Hackney, London",
                closing_date=today + dt.timedelta(days=3 + 4 * i),
            )
            opportunity_submit(opp_id=opp.pk, actor=users.get("employer"))
            opp.refresh_from_db()
            opportunity_publish(
                opp_id=opp.pk,
                actor=moderator,
                # The demo's unpaid work placement: a moderator's recorded reason, as the rules require.
                wage_override_reason="Four weeks' unpaid work experience with a reference, agreed with the"
                " Hackney Works team"
                if opp.below_minimum_wage
                else "",
            )
