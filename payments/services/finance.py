"""Finance: the daily income file, reconciliation runs and their discrepancies."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hackney_portal.core.audit import audit_log
from hackney_portal.core.exceptions import ApplicationError

from .refunds import refund_email_send

log = logging.getLogger(__name__)


def income_file_generate(*, day: dt.date, actor=None):
    """Make (or re-make) a day's income file, in the portal's private storage. The stored file never
    changes; a re-run that would produce different bytes is refused loudly, because it means the ledger for a
    closed day was changed."""
    from django.core.files.base import ContentFile

    from ..income_file import LAYOUT, batch_id_for, digest, income_file_build
    from ..models import IncomeFile

    content, count, total = income_file_build(day)
    with transaction.atomic():
        existing = IncomeFile.objects.select_for_update().filter(business_date=day).first()
        if existing is not None:
            if existing.layout != LAYOUT:
                # Made in an older layout: the housing system has that file; check it against the ledger in
                # its own layout rather than call it changed.
                content = income_file_build(day, layout=existing.layout)[0]
            if existing.sha256 != digest(content):
                log.error("income file for %s would change on re-run; keeping the original", day)
                raise ApplicationError(f"The income file for {day:%d %B %Y} no longer matches the ledger")
            return existing
        batch_id = batch_id_for(day)
        income = IncomeFile(
            business_date=day,
            batch_id=batch_id,
            row_count=count,
            total_pence=total,
            sha256=digest(content),
            layout=LAYOUT,
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
    """Close a discrepancy looked into and explained, with no money moved (who, when and how recorded)."""
    from ..models import Discrepancy

    d = Discrepancy.objects.select_for_update().get(pk=discrepancy_id)
    if not note.strip():
        raise ApplicationError("Say how the discrepancy was resolved", field="note")
    if d.status == Discrepancy.Status.RESOLVED:
        raise ApplicationError("This discrepancy has already been resolved", field="note")
    d.status = Discrepancy.Status.RESOLVED
    d.resolution = Discrepancy.Resolution.EXPLAINED
    d.resolved_by = actor
    d.resolved_at = timezone.now()
    d.resolution_note = note
    d.save(update_fields=["status", "resolution", "resolved_by", "resolved_at", "resolution_note"])
    audit_log(actor=actor, action="payments.discrepancy.resolved", obj=d, data={"note": note[:300]})
    return d


def duplicate_refundable_pence(discrepancy) -> int:
    """What refunding a duplicate may pay back: the duplicate transaction's amount, never more than the
    payment it duplicates."""
    if discrepancy.payment is None or not discrepancy.actual_pence:
        return 0
    return max(0, min(int(discrepancy.actual_pence), discrepancy.payment.amount_pence))


def discrepancy_refund_duplicate(*, discrepancy_id: int, actor):
    """Pay a duplicate charge back to the card and resolve the discrepancy, once.

    The duplicate was never credited to the rent account, so its refund never debits it. Under the lock the
    discrepancy is marked resolved (who, when, how) and the refund reserved before Stripe is called, so a
    second click or a second officer finds it resolved and nothing is refunded twice; Stripe gets an
    idempotency key per discrepancy. If Stripe refuses, the discrepancy is opened again.
    """
    from .. import stripe_gateway as gateway
    from ..models import Discrepancy, Refund

    with transaction.atomic():
        d = (
            Discrepancy.objects.select_for_update(of=("self",))
            .select_related("payment")
            .get(pk=discrepancy_id)
        )
        if d.resolution == Discrepancy.Resolution.REFUNDED:
            return d
        if d.status != Discrepancy.Status.OPEN:
            raise ApplicationError("This discrepancy has already been resolved")
        amount = duplicate_refundable_pence(d)
        if d.kind != Discrepancy.Kind.DUPLICATE or not amount or not d.payment.provider_payment_id:
            raise ApplicationError("Only a duplicate card charge can be refunded from here")
        refund = Refund.objects.create(
            payment=d.payment,
            amount_pence=amount,
            reason=f"Duplicate charge ({d.key})"[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        d.status = Discrepancy.Status.RESOLVED
        d.resolution = Discrepancy.Resolution.REFUNDED
        d.refund = refund
        d.resolved_by = actor
        d.resolved_at = timezone.now()
        d.resolution_note = f"Duplicate charge of £{amount / 100:,.2f} refunded to the card"
        d.save(
            update_fields=["status", "resolution", "refund", "resolved_by", "resolved_at", "resolution_note"]
        )
        audit_log(
            actor=actor,
            action="payments.discrepancy.refund_requested",
            obj=d,
            data={"refund": refund.pk, "amount_pence": amount, "payment": d.payment.reference},
        )
    try:
        data = gateway.refund_create(
            intent_id=d.payment.provider_payment_id,
            amount_pence=amount,
            idempotency_key=f"discrepancy-{d.pk}-refund",
            metadata={"discrepancy_id": str(d.pk)},
        )
    except gateway.GatewayError as exc:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
            Discrepancy.objects.filter(pk=d.pk).update(
                status=Discrepancy.Status.OPEN,
                resolution="",
                refund=None,
                resolved_by=None,
                resolved_at=None,
                resolution_note="",
            )
            audit_log(
                actor=actor, action="payments.discrepancy.refund_failed", obj=d, data={"refund": refund.pk}
            )
        raise ApplicationError(f"The refund was not made: {exc}") from exc
    status = Refund.Status.SUCCEEDED if data.get("status") == "succeeded" else Refund.Status.PENDING
    # Only this refund's own row: the money never reached the ledger, so neither does its return.
    Refund.objects.filter(pk=refund.pk).update(provider_refund_id=data["id"], status=status)
    if status == Refund.Status.SUCCEEDED:
        refund_email_send(payment=d.payment, refund=refund, duplicate=True)
    d.refresh_from_db()
    return d
