"""Freezing a quarter's return as a versioned snapshot."""

from __future__ import annotations

import datetime as dt

# We only write XML here, never parse input, so defusedxml is not needed.
from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from ..models import HclicExport
from .files import build
from .quarters import quarter_bounds, quarter_unfinished


@transaction.atomic
def hclic_export_generate(
    *, year: int, quarter: int, actor, allow_unfinished: bool = False, today: dt.date | None = None
) -> HclicExport:
    """Freeze the quarter's return. Unchanged data returns the existing snapshot; a change adds a version.

    A quarter that has not ended yet is incomplete: it is built only when the person asks for it knowing
    that (`allow_unfinished`), for checking, never by accident."""
    today = today or timezone.localdate()
    if quarter_unfinished(year, quarter, today) and not allow_unfinished:
        end = quarter_bounds(year, quarter)[1]
        raise ApplicationError(
            f"Q{quarter} {year} does not end until {end:%-d %B %Y}: a return built now would be incomplete."
            " Tick the box to build it anyway, for checking only.",
            field="allow_unfinished",
        )
    built = build(year, quarter)
    latest = (
        HclicExport.objects.select_for_update()
        .filter(year=year, quarter=quarter)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.sha256 == built["sha256"]:
        return latest
    export = HclicExport.objects.create(
        year=year,
        quarter=quarter,
        version=(latest.version + 1) if latest else 1,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **built,
    )
    audit_log(
        actor=actor,
        action="homelessness.hclic.generated",
        obj=export,
        data={"cases": export.case_count, "problems": sum(len(r["problems"]) for r in export.report)},
    )
    return export
