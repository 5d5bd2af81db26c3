"""Build the daily income file: header, one row per card payment, refund, dispute (chargeback) and dispute
reinstatement, trailer with count and total. Each row says its transaction type, so the housing system hears
about chargebacks as well as payments."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

from django.conf import settings

from hackney_portal.core.csvsafe import csv_safe

from .models import LedgerEntry

# Ledger kind -> the transaction type written in the file (the housing system's codes).
TYPES = {
    LedgerEntry.Kind.CARD_PAYMENT: "PAYMENT",
    LedgerEntry.Kind.REFUND: "REFUND",
    LedgerEntry.Kind.DISPUTE: "CHARGEBACK",
    LedgerEntry.Kind.DISPUTE_WON: "CHARGEBACK REVERSED",
}
KINDS = list(TYPES)
# The file's layout. 1: no transaction-type column, payments and refunds only (files made before 4 December
# 2026). 2: a type column after the date, chargebacks and reinstatements as rows. A day's file is always
# compared with a re-build in its own layout, so an old file is never reported as changed by a new layout.
LAYOUT = 2
LAYOUT_1_KINDS = [LedgerEntry.Kind.CARD_PAYMENT, LedgerEntry.Kind.REFUND]


def batch_id_for(day: dt.date) -> str:
    return f"{settings.COUNCIL['short_name'].upper()[:10]}-CARD-{day:%Y%m%d}"


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def income_file_build(day: dt.date, *, layout: int = LAYOUT) -> tuple[str, int, int]:
    """(content, row count, total pence). Money received (payments, reinstatements) is positive; money paid
    back or taken back (refunds, chargebacks) negative."""
    batch = batch_id_for(day)
    entries = (
        LedgerEntry.objects.filter(business_date=day, kind__in=KINDS if layout >= 2 else LAYOUT_1_KINDS)
        .select_related("account", "payment", "refund", "refund__payment", "dispute", "dispute__payment")
        .order_by("id")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["H", csv_safe(settings.COUNCIL["name"]), "CARD INCOME", day.isoformat(), batch])
    count = total = 0
    for e in entries.iterator(chunk_size=2000):
        money_in = -e.amount_pence
        if e.kind == LedgerEntry.Kind.CARD_PAYMENT:
            ours, provider = e.payment.reference, e.payment.provider_payment_id or ""
        elif e.dispute_id:
            ours, provider = e.dispute.payment.reference, e.dispute.provider_dispute_id
        else:
            payment = e.refund.payment if e.refund else None
            ours = payment.reference if payment else ""
            provider = (e.refund.provider_refund_id or "") if e.refund else ""
        row = ["D", csv_safe(e.account.reference), _pounds(money_in), day.isoformat()]
        if layout >= 2:
            row.append(TYPES[e.kind])
        writer.writerow([*row, csv_safe(ours), csv_safe(provider), batch])
        count += 1
        total += money_in
    writer.writerow(["T", count, _pounds(total), batch])
    return out.getvalue(), count, total


def digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()
