"""schema.org JobPosting for a live listing, so search engines can show it."""

from __future__ import annotations

from .models import Opportunity

EMPLOYMENT_TYPE = {
    Opportunity.Hours.FULL_TIME: "FULL_TIME",
    Opportunity.Hours.PART_TIME: "PART_TIME",
    Opportunity.Hours.FLEXIBLE: "OTHER",
}


def job_posting(opp: Opportunity, url: str) -> dict:
    data: dict = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": opp.title,
        "description": opp.description_html,
        "identifier": {"@type": "PropertyValue", "name": opp.employer_name, "value": str(opp.pk)},
        "datePosted": opp.published_at.date().isoformat() if opp.published_at else None,
        "validThrough": f"{opp.closing_date.isoformat()}T23:59:59+00:00",
        "employmentType": EMPLOYMENT_TYPE.get(opp.hours, "OTHER"),
        "hiringOrganization": {"@type": "Organization", "name": opp.employer_name},
        "directApply": not opp.apply_url,
        "url": url,
    }
    if opp.contract == Opportunity.Contract.TEMPORARY:
        data["employmentType"] = "TEMPORARY"
    if opp.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "United Kingdom"}
    else:
        data["jobLocation"] = {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": opp.address,
                "postalCode": opp.postcode,
                "addressLocality": "London",
                "addressCountry": "GB",
            },
        }
    if opp.pay_max_pence and opp.pay_period != Opportunity.PayPeriod.NONE:
        value: dict = {"@type": "QuantitativeValue", "unitText": opp.pay_period.upper()}
        if opp.pay_min_pence and opp.pay_min_pence != opp.pay_max_pence:
            value |= {"minValue": opp.pay_min_pence / 100, "maxValue": opp.pay_max_pence / 100}
        else:
            value["value"] = opp.pay_max_pence / 100
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "GBP", "value": value}
    return data
