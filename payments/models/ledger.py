"""The append-only rent ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .accounts import RentAccount
from .payments import Dispute, Payment, Refund


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        RENT = "rent", "Rent"
        SERVICE_CHARGE = "service_charge", "Service charge"
        CARD_PAYMENT = "card_payment", "Card payment"
        DIRECT_DEBIT = "direct_debit", "Direct Debit"
        HOUSING_BENEFIT = "housing_benefit", "Housing Benefit"
        UNIVERSAL_CREDIT = "universal_credit", "Universal Credit"
        REFUND = "refund", "Refund"
        WRITE_OFF = "write_off", "Write-off"
        DISPUTE = "dispute", "Card payment disputed"
        DISPUTE_WON = "dispute_won", "Disputed payment reinstated"

    account = models.ForeignKey(RentAccount, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField(help_text="Position in this account's ledger, from 1")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount_pence = models.IntegerField(help_text="Positive adds to what is owed; negative reduces it")
    balance_after_pence = models.IntegerField()
    description = models.CharField(max_length=200, blank=True)
    business_date = models.DateField(help_text="Date in Europe/London")
    rent_week = models.PositiveSmallIntegerField()
    financial_year = models.CharField(max_length=7, help_text="April to March, e.g. 2026-27")
    unallocated = models.BooleanField(
        default=False, help_text="Held in suspense: reference matched no account"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    dispute = models.ForeignKey(
        Dispute, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "seq"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["account", "seq"], name="ledger_seq_unique"),
            models.CheckConstraint(condition=~Q(amount_pence=0), name="ledger_amount_nonzero"),
            models.CheckConstraint(
                condition=Q(rent_week__gte=1, rent_week__lte=53), name="ledger_rent_week_range"
            ),
            # Exactly-once crediting, whatever the webhooks do: one card credit per payment, one entry per
            # refund, one debit and one reinstatement per dispute.
            models.UniqueConstraint(
                fields=["payment"], condition=Q(kind="card_payment"), name="ledger_one_credit_per_payment"
            ),
            models.UniqueConstraint(
                fields=["refund"], condition=Q(refund__isnull=False), name="ledger_one_entry_per_refund"
            ),
            models.UniqueConstraint(
                fields=["dispute", "kind"],
                condition=Q(dispute__isnull=False),
                name="ledger_one_entry_per_dispute_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="card_payment") | Q(payment__isnull=False, amount_pence__lt=0),
                name="ledger_card_payment_is_a_credit_with_payment",
            ),
        ]
        indexes = [models.Index(fields=["account", "-business_date"]), models.Index(fields=["business_date"])]

    def __str__(self) -> str:
        from hackney_portal.frontend.formatting import pence

        return f"{self.account} #{self.seq} {self.kind} {pence(self.amount_pence)}"
