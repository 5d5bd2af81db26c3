"""Finance: daily income files, reconciliation runs and their discrepancies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from hackney_portal.core.storage import private_storage

from .ledger import LedgerEntry
from .payments import Payment, Refund


class IncomeFile(models.Model):
    """The daily income file for the housing management system: one per business day (Europe/London).

    Generated from the append-only ledger, so a re-run produces the same bytes; the first one made is kept
    and its hash lets a re-run prove it. Each row carries the day's batch id, so no row is exported twice.
    """

    business_date = models.DateField(unique=True)
    batch_id = models.CharField(max_length=40, unique=True)
    row_count = models.PositiveIntegerField()
    total_pence = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    layout = models.PositiveSmallIntegerField(
        default=2, help_text="The file's layout (payments/income_file.py): a re-run is compared in this one"
    )
    # In the portal's private storage (local disk in development, S3 in production; encrypted at rest), so
    # every web and worker host sees the same file. Downloaded only through the audited admin view.
    file = models.FileField(upload_to="payments/income", storage=private_storage, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date"]
        constraints = [
            models.CheckConstraint(condition=Q(layout__in=[1, 2]), name="income_file_layout_known"),
        ]

    def __str__(self) -> str:
        return self.batch_id

    @property
    def content(self) -> str:
        """The file's text, exactly as generated (CRLF line endings kept)."""
        with self.file.storage.open(self.file.name, "rb") as f:
            return f.read().decode("utf-8")


class ReconciliationRun(models.Model):
    """One pass over the provider's balance transactions for a period, resumable from `cursor`."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"

    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    cursor = models.CharField(
        max_length=64, blank=True, help_text="Last provider transaction fully processed"
    )
    transactions_seen = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    discrepancies_found = models.PositiveIntegerField(default=0)
    repaired = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                condition=Q(status="running"),
                name="one_running_reconciliation_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start}..{self.period_end} ({self.status})"


class Discrepancy(models.Model):
    class Kind(models.TextChoices):
        MISSING_CREDIT = "missing_credit", "Money taken, no credit on a rent account"
        CREDIT_WITHOUT_PAYMENT = "credit_without_payment", "Credit on a rent account, no money taken"
        AMOUNT_MISMATCH = "amount_mismatch", "Amounts differ"
        DUPLICATE = "duplicate", "Duplicate transaction"
        PAYOUT_MISMATCH = "payout_mismatch", "Payout total differs from its transactions"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REPAIRED = "repaired", "Repaired automatically"
        RESOLVED = "resolved", "Resolved"

    class Resolution(models.TextChoices):
        REFUNDED = "refunded", "Duplicate charge refunded to the card"
        EXPLAINED = "explained", "Looked into and explained, no money moved"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text="What it is about: a provider id or a ledger entry id")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ledger_entry = models.ForeignKey(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expected_pence = models.BigIntegerField(null=True, blank=True)
    actual_pence = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    run = models.ForeignKey(ReconciliationRun, on_delete=models.PROTECT, related_name="discrepancies")
    created_at = models.DateTimeField(auto_now_add=True)
    # PROTECT: the record of who resolved it must outlive a deleted login (the constraint needs it too).
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    # The refund of a duplicate charge, made from this discrepancy. It pays back money the ledger never
    # credited, so it never debits the rent account (see services.refund_record).
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="discrepancy"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "discrepancies"
        constraints = [
            # A second run finds the same problem again but records it once.
            models.UniqueConstraint(fields=["kind", "key"], name="discrepancy_once_per_kind_and_key"),
            # Who, when and how: a resolved discrepancy has all three, an open one none.
            models.CheckConstraint(
                condition=(
                    Q(status="resolved", resolved_by__isnull=False, resolved_at__isnull=False)
                    & ~Q(resolution="")
                )
                | (~Q(status="resolved") & Q(resolution="")),
                name="discrepancy_resolved_has_who_when_how",
            ),
            models.CheckConstraint(
                condition=~Q(resolution="refunded") | Q(refund__isnull=False),
                name="discrepancy_refunded_names_its_refund",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key}"
