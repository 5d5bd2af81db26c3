"""Freezing a quarter's return as a versioned snapshot: two files in private storage and a report."""

from __future__ import annotations

import datetime as dt
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from ..models import HclicExport
from .files import build_to
from .quarters import quarter_bounds, quarter_unfinished


@transaction.atomic
def hclic_export_generate(
    *, year: int, quarter: int, actor, allow_unfinished: bool = False, today: dt.date | None = None
) -> HclicExport:
    """Freeze the quarter's return. Unchanged data returns the existing snapshot; a change adds a version.

    A quarter that has not ended yet is incomplete: it is built only when the person asks for it knowing
    that (`allow_unfinished`), for checking, never by accident. The files are streamed to temporary files
    while the cases are read, then stored; nothing of them is held in a database column."""
    today = today or timezone.localdate()
    if quarter_unfinished(year, quarter, today) and not allow_unfinished:
        end = quarter_bounds(year, quarter)[1]
        raise ApplicationError(
            f"Q{quarter} {year} does not end until {end:%-d %B %Y}: a return built now would be incomplete."
            " Tick the box to build it anyway, for checking only.",
            field="allow_unfinished",
        )
    # newline="" so the bytes stored are the bytes hashed, on any platform.
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as case_tmp,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as personal_tmp,
    ):
        built = build_to(case_tmp, personal_tmp, year, quarter)
        latest = (
            HclicExport.objects.select_for_update()
            .filter(year=year, quarter=quarter)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.sha256 == built["sha256"]:
            return latest
        version = (latest.version + 1) if latest else 1
        export = HclicExport(
            year=year,
            quarter=quarter,
            version=version,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            code_list_version=built["code_list_version"],
            case_count=built["case_count"],
            report=built["report"],
            sha256=built["sha256"],
            case_sha256=built["case_sha256"],
            personal_sha256=built["personal_sha256"],
        )
        stem = f"hclic-{year}-q{quarter}-v{version}"
        for tmp, field, which in (
            (case_tmp, export.case_file, "case"),
            (personal_tmp, export.personal_file, "personal"),
        ):
            tmp.flush()
            tmp.buffer.seek(0)
            field.save(f"{stem}-{which}.xml", File(tmp.buffer), save=False)
        export.save()
    audit_log(
        actor=actor,
        action="homelessness.hclic.generated",
        obj=export,
        data={"cases": export.case_count, "problems": sum(len(r["problems"]) for r in export.report)},
    )
    return export
