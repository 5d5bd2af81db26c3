"""Finance: the daily income file, reconciliation runs and their discrepancies."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

log = logging.getLogger(__name__)


def income_file_generate(*, day: dt.date, actor=None):
    """Make (or re-make) a day's income file, in the portal's private storage. The stored file never
    changes; a re-run that would produce different bytes is refused loudly, because it means the ledger for a
    closed day was changed."""
    from django.core.files.base import ContentFile

    from ..income_file import batch_id_for, digest, income_file_build
    from ..models import IncomeFile

    content, count, total = income_file_build(day)
    with transaction.atomic():
        existing = IncomeFile.objects.select_for_update().filter(business_date=day).first()
        if existing is not None:
            if existing.sha256 != digest(content):
                log.error("income file for %s would change on re-run; keeping the original", day)
                raise ApplicationError(f"The income file for {day:%d %B %Y} no longer matches the ledger")
            return existing
        batch_id = batch_id_for(day)
        income = IncomeFile(
            business_date=day, batch_id=batch_id, row_count=count, total_pence=total, sha256=digest(content)
        )
        # The file goes to storage first, then the row. Two runs at once both get here (there is no row yet to
        # lock): the second's row breaks the one-per-day constraint, its file is deleted, and it returns the
        # first's (the same bytes, or the same refusal as a re-run).
        income.file.save(f"{batch_id}.csv", ContentFile(content.encode("utf-8")), save=False)
        try:
            with transaction.atomic():
                income.save()
        except IntegrityError:
            income.file.storage.delete(income.file.name)
            existing = IncomeFile.objects.get(business_date=day)
            if existing.sha256 != digest(content):
                raise ApplicationError(
                    f"The income file for {day:%d %B %Y} no longer matches the ledger"
                ) from None
            return existing
        audit_log(
            actor=actor,
            action="payments.income_file.created",
            obj=income,
            data={"rows": count, "total_pence": total},
        )
    return income


def reconciliation_start(*, period_start: dt.date, period_end: dt.date, actor=None):
    """Reconcile a period: from the provider's itemised balance report where it has one (Stripe), else
    from its paged list of balance transactions (localstripe, which has no reports API)."""
    from .. import stripe_gateway as gateway
    from ..reconciliation import reconciliation_run
    from ..reconciliation_report import reconciliation_run_from_report

    if gateway.reports_available():
        return reconciliation_run_from_report(period_start=period_start, period_end=period_end, actor=actor)
    return reconciliation_run(
        period_start=period_start,
        period_end=period_end,
        actor=actor,
        page_size=settings.PAYMENTS_RECONCILIATION_PAGE_SIZE,
    )


@transaction.atomic
def discrepancy_resolve(*, discrepancy_id: int, note: str, actor):
    from ..models import Discrepancy

    d = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
    if not note.strip():
        raise ApplicationError("Say how the discrepancy was resolved", field="note")
    d.status = Discrepancy.Status.RESOLVED
    d.resolved_by = actor
    d.resolved_at = timezone.now()
    d.resolution_note = note
    d.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    audit_log(actor=actor, action="payments.discrepancy.resolved", obj=d, data={"note": note[:300]})
    return d
