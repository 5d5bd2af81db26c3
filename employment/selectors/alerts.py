"""Hackney Works reads: a saved search (job alert) described in words."""

from __future__ import annotations

import re

from ..models import Opportunity
from .search import DISTANCES, MIN_PAY, search_text_normalise

_POSTCODE_OR_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( ?[0-9][A-Z]{2})?$")


def search_describe(query: str, *, typed_text: bool = True) -> str:
    """A saved search in words, for the emails and pages about it: “chef”, Job, within 2 miles of E8 1EA.

    `typed_text=False` is for the confirmation email, which goes to an address nobody has confirmed yet: it
    must carry nothing the requester typed (the search words, a sector or postcode that is not one), or the
    portal would send anyone's words to anyone (“call 0909…”). Only the portal's own labels are named then."""
    from django.core.exceptions import TooManyFieldsSent

    from hackney_portal.core.hostile import querystring_parse

    try:
        data = querystring_parse(query)
    except TooManyFieldsSent:
        return "your search"
    labels = {
        "kind": dict(Opportunity.Kind.choices),
        "contract": dict(Opportunity.Contract.choices),
        "hours": dict(Opportunity.Hours.choices),
    }
    parts: list[str] = []
    q = search_text_normalise(data.get("q", ""))
    if q:
        parts.append(f"“{q}”" if typed_text else "the words you searched for")
    for name in ("kind", "sector", "contract", "hours"):
        values = data.getlist(name)[:10]
        if name == "sector" and not typed_text:
            if values:
                parts.append("the sectors you chose")
            continue
        for value in values:
            label = labels[name].get(value) if name in labels else value
            if label:
                parts.append(str(label)[:60])
    flags = {
        "living_wage": "London Living Wage or above",
        "disability_confident": "Disability Confident employers",
        "no_experience": "no experience needed",
        "closing_soon": "closing in the next 7 days",
    }
    parts += [label for name, label in flags.items() if data.get(name)]
    if data.get("min_pay", "") in MIN_PAY:
        parts.append(f"£{int(data['min_pay']):,} a year or more")
    postcode = data.get("postcode", "").strip().upper()[:10]
    if data.get("distance", "") in DISTANCES and postcode:
        if not typed_text and not _POSTCODE_OR_DISTRICT.match(postcode):
            postcode = "your postcode"
        parts.append(f"within {data['distance']} mile{'s' if data['distance'] != '1' else ''} of {postcode}")
    return ", ".join(parts) if parts else "all opportunities"
