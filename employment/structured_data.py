"""schema.org data for a live listing, so search engines can show it: JobPosting for work (jobs,
apprenticeships, placements, volunteering), Course for training and Event for events."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .models import Opportunity

LONDON = ZoneInfo("Europe/London")
EMPLOYMENT_TYPE = {
    Opportunity.Hours.FULL_TIME: "FULL_TIME",
    Opportunity.Hours.PART_TIME: "PART_TIME",
    Opportunity.Hours.FLEXIBLE: "OTHER",
}


def valid_through(closing: dt.date) -> str:
    """The end of the closing date in London, with the offset in force that day (+01:00 in summer)."""
    return dt.datetime.combine(closing, dt.time(23, 59, 59), LONDON).isoformat()


def event_start(opp: Opportunity) -> str:
    """The event's start in London time with that day's offset; the date alone if no time is known."""
    if opp.start_time is None:
        return opp.start_date.isoformat()
    return dt.datetime.combine(opp.start_date, opp.start_time, LONDON).isoformat()


def employment_types(opp: Opportunity) -> list[str] | str:
    if opp.kind == Opportunity.Kind.VOLUNTEERING:
        return "VOLUNTEER"
    if opp.kind == Opportunity.Kind.PLACEMENT:
        types = ["INTERN"]
    else:
        types = [EMPLOYMENT_TYPE.get(opp.hours, "OTHER")]
    if opp.contract in (Opportunity.Contract.TEMPORARY, Opportunity.Contract.FIXED_TERM):
        types.append("TEMPORARY")  # a full-time temporary job is both
    types = list(dict.fromkeys(types))
    return types[0] if len(types) == 1 else types


def _place(opp: Opportunity) -> dict:
    return {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": opp.address,
            "addressLocality": "London",
            "addressRegion": "Greater London",
            "postalCode": opp.postcode,
            "addressCountry": "GB",
        },
    }


def _organisation(opp: Opportunity) -> dict:
    return {"@type": "Organization", "name": opp.employer_name}


def structured_data(opp: Opportunity, url: str) -> dict:
    if opp.kind == Opportunity.Kind.TRAINING:
        return {
            "@context": "https://schema.org/",
            "@type": "Course",
            "name": opp.title,
            "description": opp.summary,
            "provider": _organisation(opp),
            "url": url,
            "hasCourseInstance": {
                "@type": "CourseInstance",
                "courseMode": "online" if opp.remote else "onsite",
                **({"startDate": opp.start_date.isoformat()} if opp.start_date else {}),
                **({} if opp.remote else {"location": _place(opp)}),
            },
            "offers": {"@type": "Offer", "category": "Free" if not opp.pay_max_pence else "Paid"},
        }
    if opp.kind == Opportunity.Kind.EVENT:
        return {
            "@context": "https://schema.org/",
            "@type": "Event",
            "name": opp.title,
            "description": opp.summary,
            "organizer": _organisation(opp),
            "url": url,
            **({"startDate": event_start(opp)} if opp.start_date else {}),
            "eventAttendanceMode": "https://schema.org/"
            + ("OnlineEventAttendanceMode" if opp.remote else "OfflineEventAttendanceMode"),
            "location": {"@type": "VirtualLocation", "url": url} if opp.remote else _place(opp),
        }
    return job_posting(opp, url)


def job_posting(opp: Opportunity, url: str) -> dict:
    data: dict = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": opp.title,
        "description": opp.description_html,
        "identifier": {"@type": "PropertyValue", "name": opp.employer_name, "value": str(opp.pk)},
        "datePosted": opp.published_at.astimezone(LONDON).date().isoformat() if opp.published_at else None,
        "validThrough": valid_through(opp.closing_date),
        "employmentType": employment_types(opp),
        "hiringOrganization": _organisation(opp),
        "directApply": not opp.apply_url,
        "url": url,
    }
    if opp.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "United Kingdom"}
    else:
        data["jobLocation"] = _place(opp)
    if opp.pay_max_pence and opp.pay_period != Opportunity.PayPeriod.NONE:
        value: dict = {"@type": "QuantitativeValue", "unitText": opp.pay_period.upper()}
        if opp.pay_min_pence and opp.pay_min_pence != opp.pay_max_pence:
            value |= {"minValue": opp.pay_min_pence / 100, "maxValue": opp.pay_max_pence / 100}
        else:
            value["value"] = opp.pay_max_pence / 100
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "GBP", "value": value}
    return data
