"""Card payments and what happened to them afterwards: refunds and disputes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .. import rules
from .accounts import RentAccount


class Payment(models.Model):
    """One attempt to pay by card, saved before Stripe is called.

    `attempt_key` comes from the pay form, so a double click, a refresh or the back button finds this row
    again instead of creating a second attempt (and so a second PaymentIntent).
    """

    # The statuses and their allowed moves live in payments.rules (pure, tested on their own).
    Status = rules.PaymentStatus
    FINAL = rules.FINAL
    TRANSITIONS = rules.TRANSITIONS

    reference = models.CharField(max_length=20, unique=True)
    attempt_key = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(RentAccount, on_delete=models.PROTECT, related_name="payments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rent_payments",
    )
    email = models.EmailField(blank=True, help_text="Where the receipt goes")
    # A payment taken over the phone (MOTO) by a member of staff for a caller: who took it. Empty when the
    # resident paid online themselves.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="phone_payments_taken",
        help_text="The member of staff who took this payment over the phone",
    )
    amount_pence = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="gbp")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED, db_index=True)
    provider_payment_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    provider_charge_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The provider balance transaction reconciled against this payment. Unique, so a second transaction for
    # the same payment is caught by the database as a duplicate.
    reconciled_txn_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    refunded_pence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("take_phone_payment", "Can take a card payment over the phone")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(currency="gbp"), name="payment_currency_gbp"),
            models.CheckConstraint(
                condition=Q(refunded_pence__lte=models.F("amount_pence")), name="payment_refund_within_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def refundable_pence(self) -> int:
        return self.amount_pence - self.refunded_pence

    @property
    def is_pending(self) -> bool:
        return self.status in rules.PENDING


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    provider_refund_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    amount_pence = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"Refund of {self.payment}"


class Dispute(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    provider_dispute_id = models.CharField(max_length=64, unique=True)
    amount_pence = models.PositiveIntegerField()
    status = models.CharField(max_length=40)
    reason = models.CharField(max_length=100, blank=True)
    evidence_due_by = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.provider_dispute_id
