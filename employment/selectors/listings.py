"""Hackney Works reads: live listings, a listing's page, pay in words, pay rates and postcodes."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from hackney_portal.core.calendar import business_date

from ..models import Opportunity


def postcode_centroid(postcode: str) -> tuple[float, float] | None:
    """Where a postcode is: a full postcode's own centre, or for an outcode alone ("E8") the centre of
    its district. None if we do not know it."""
    from ..models import Outcode, Postcode
    from ..services.postcodes import OUTCODE, normalise_postcode

    normal = normalise_postcode(postcode)
    rows = (
        Outcode.objects.filter(outcode=normal)
        if OUTCODE.match(normal)
        else Postcode.objects.filter(postcode=normal)
    )
    return rows.values_list("latitude", "longitude").first()


def pay_rates() -> list[tuple[str, dt.date, int]]:
    """Every pay rate row as (kind, effective_from, pence per hour): a few dozen rows at most."""
    from ..models import PayRate

    return list(PayRate.objects.values_list("kind", "effective_from", "pence_per_hour"))


def live(today: dt.date | None = None) -> QuerySet[Opportunity]:
    """Published and not past their closing date (the closing date itself is still open, London time)."""
    today = today or business_date()
    return Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED, closing_date__gte=today)


def live_sectors() -> list[str]:
    """The sectors of live listings, for the filter. Cached for a minute: it is the same for everyone and
    reading it means touching every live listing."""
    from django.core.cache import cache

    def read():
        return list(live().order_by("sector").values_list("sector", flat=True).distinct())

    return cache.get_or_set(f"employment:sectors:{business_date()}", read, timeout=60)


# What a listing's public pages never show: its search vector (longer than the text itself), the employer's
# source text (the page shows the sanitised HTML) and the moderators' fields.
PAGE_DEFERRED = (
    "search_vector",
    "description_source",
    "pending_edit",
    "pending_edit_at",
    "edit_rejection_reason",
    "rejection_reason",
    "wage_problems",
    "wage_override_reason",
)


_PAGE_FIELDS = [f.attname for f in Opportunity._meta.concrete_fields if f.name not in PAGE_DEFERRED]
# Written out: building this statement through the ORM (with its deferred fields) cost three times running
# it, most of the listing page's cost above the home page's (docs/performance.md).
_PAGE_COLUMNS = ", ".join(
    f'"{f.column}"' for f in Opportunity._meta.concrete_fields if f.name not in PAGE_DEFERRED
)
_PAGE_SQL = (
    f"SELECT {_PAGE_COLUMNS} FROM {Opportunity._meta.db_table}"  # noqa: S608  # nosec B608
    " WHERE id = %s AND status = ANY(%s)"
)


def opportunity_for_page(*, pk: int) -> Opportunity:
    """Published listings stay reachable after closing (with a notice); drafts and rejected ones do not."""
    with connection.cursor() as cur:
        cur.execute(_PAGE_SQL, [pk, [Opportunity.Status.PUBLISHED, Opportunity.Status.CLOSED]])
        row = cur.fetchone()
    if row is None:
        raise Http404
    return Opportunity.from_db(connection.alias, _PAGE_FIELDS, row)


def pay_text(opp: Opportunity) -> str:
    if opp.pay_period == Opportunity.PayPeriod.NONE or not opp.pay_max_pence:
        return "Unpaid"

    def money(p: int) -> str:
        return f"£{p / 100:,.2f}" if opp.pay_period == "hour" else f"£{p // 100:,}"

    period = opp.get_pay_period_display()
    if opp.pay_min_pence and opp.pay_min_pence != opp.pay_max_pence:
        return f"{money(opp.pay_min_pence)} to {money(opp.pay_max_pence)} {period}"
    return f"{money(opp.pay_max_pence)} {period}"
