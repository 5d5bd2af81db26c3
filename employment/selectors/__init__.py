"""Hackney Works reads, one module per area (search in its own); every public name is importable here."""

from .alerts import (
    search_describe,
)
from .applications import (
    applications_for_user,
)
from .employers import (
    employer_application,
    employer_applications,
    employer_listing,
    employer_listings,
    listing_form_initial,
    pending_edit_changes,
    pending_edit_preview,
)
from .listings import (
    live,
    live_sectors,
    opportunity_for_page,
    pay_rates,
    pay_text,
    postcode_centroid,
)
from .residents import (
    APPLICATION_NEWS,
    APPLICATION_NEWS_DAYS,
    account_settings_rows,
    resident_summary,
)
from .search import (
    CANDIDATE_CAP,
    DISTANCES,
    FACETS,
    FLAGS,
    HOURS_PER_YEAR,
    MAX_CORRECTED_WORDS,
    MAX_SEARCH_TERMS,
    METRES_PER_MILE,
    MIN_PAY,
    PAGE_SIZE,
    POSTED_WITHIN,
    SORTS,
    SearchResult,
    build_tsquery,
    opportunity_search,
    search_text_normalise,
)

__all__ = [
    "APPLICATION_NEWS",
    "APPLICATION_NEWS_DAYS",
    "CANDIDATE_CAP",
    "DISTANCES",
    "FACETS",
    "FLAGS",
    "HOURS_PER_YEAR",
    "MAX_CORRECTED_WORDS",
    "MAX_SEARCH_TERMS",
    "METRES_PER_MILE",
    "MIN_PAY",
    "PAGE_SIZE",
    "POSTED_WITHIN",
    "SORTS",
    "SearchResult",
    "account_settings_rows",
    "applications_for_user",
    "build_tsquery",
    "employer_application",
    "employer_applications",
    "employer_listing",
    "employer_listings",
    "listing_form_initial",
    "live",
    "live_sectors",
    "opportunity_for_page",
    "opportunity_search",
    "pay_rates",
    "pay_text",
    "pending_edit_changes",
    "pending_edit_preview",
    "postcode_centroid",
    "resident_summary",
    "search_describe",
    "search_text_normalise",
]
