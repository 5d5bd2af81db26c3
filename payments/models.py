"""Pay My Rent: rent accounts, the append-only ledger, card payments and what Stripe tells us about them.

Money is integer pence. A ledger amount is positive when it adds to what the tenant owes (rent, a
refund paid out, a dispute) and negative when it reduces it (a payment, benefit). The ledger is
append-only (a database trigger refuses UPDATE and DELETE): a correction is a new entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RentAccount(models.Model):
    class Tenure(models.TextChoices):
        SECURE = "secure", "Secure"
        INTRODUCTORY = "introductory", "Introductory"
        TEMPORARY = "temporary", "Temporary accommodation"

    class Benefit(models.TextChoices):
        NONE = "none", "None"
        HOUSING_BENEFIT = "housing_benefit", "Housing Benefit"
        UNIVERSAL_CREDIT = "universal_credit", "Universal Credit (housing costs)"

    reference = models.CharField("rent account number", max_length=32, unique=True)
    postcode = models.CharField(max_length=8, help_text="Normalised, e.g. E8 1EA")
    tenant_name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    # From the tenancy record in the housing management system, never typed by a resident: link codes and
    # "your account was linked" notices go here, so only the tenant can link the account to a login.
    contact_email = models.EmailField(blank=True)
    tenure = models.CharField(max_length=20, choices=Tenure.choices, default=Tenure.SECURE)
    weekly_rent_pence = models.PositiveIntegerField()
    weekly_service_charge_pence = models.PositiveIntegerField(default=0)
    benefit = models.CharField(max_length=20, choices=Benefit.choices, default=Benefit.NONE)
    weekly_benefit_pence = models.PositiveIntegerField(default=0)
    # The balance after the latest ledger entry, kept in the same transaction as each entry so pages need
    # not sum the ledger. Positive: the tenant owes money (arrears); negative: in credit.
    balance_pence = models.IntegerField(default=0)
    balance_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        indexes = [models.Index(fields=["postcode"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def weekly_charge_pence(self) -> int:
        return self.weekly_rent_pence + self.weekly_service_charge_pence

    @property
    def weekly_due_pence(self) -> int:
        """What the tenant pays each week: charges less benefit, never below zero."""
        return max(0, self.weekly_charge_pence - self.weekly_benefit_pence)


class AccountLink(models.Model):
    """A resident's link to a rent account. Unlinking stamps `unlinked_at`; a later link is a new row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rent_links")
    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="links")
    linked_at = models.DateTimeField(auto_now_add=True)
    unlinked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "account"],
                condition=Q(unlinked_at__isnull=True),
                name="one_live_link_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.account}"


class AccountLinkCode(models.Model):
    """A one-time code that proves a login belongs to the tenant: emailed to the contact on the tenancy record
    (bound to the login that asked for it) or posted to the property (any login may use it).

    Only an HMAC of the code is stored. A code works once, until it expires, and dies after a few wrong tries.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email to the contact on the tenancy record"
        LETTER = "letter", "Letter to the property"

    MAX_ATTEMPTS = 5

    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="link_codes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rent_link_codes",
        help_text="The login the emailed code was sent for; empty for a posted code",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, help_text="Used, or replaced by a newer code")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user"],
                condition=Q(used_at__isnull=True),
                nulls_distinct=False,
                name="one_live_link_code_per_account_and_login",
            ),
            models.CheckConstraint(condition=Q(attempts__lte=5), name="link_code_attempts_within_limit"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="link_code_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"Link code for {self.account} ({self.channel})"


class Payment(models.Model):
    """One attempt to pay by card, saved before Stripe is called.

    `attempt_key` comes from the pay form, so a double click, a refresh or the back button finds this row
    again instead of creating a second attempt (and so a second PaymentIntent).
    """

    class Status(models.TextChoices):
        CREATED = "created", "Started"
        # Claimed by one card submission, under a row lock, before Stripe is called: no second
        # submission can start a confirmation while this one is in flight.
        CONFIRMING = "confirming", "Confirming"
        REQUIRES_ACTION = "requires_action", "Waiting for your bank"
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        REFUNDED = "refunded", "Refunded"
        PARTLY_REFUNDED = "partly_refunded", "Partly refunded"
        DISPUTED = "disputed", "Disputed"

    FINAL = {Status.FAILED, Status.CANCELLED, Status.EXPIRED}
    # Allowed moves; anything else (a late "failed" after "succeeded") is ignored, never applied.
    TRANSITIONS: dict[str, set[str]] = {
        Status.CREATED: {
            Status.CONFIRMING,
            Status.REQUIRES_ACTION,
            Status.PROCESSING,
            Status.SUCCEEDED,
            Status.FAILED,
            Status.CANCELLED,
            Status.EXPIRED,
        },
        # Back to "created" only by the submission that claimed it, or by the sweeper once it is stale
        # (payment_confirmation_release), never by whatever Stripe says meanwhile.
        Status.CONFIRMING: {
            Status.REQUIRES_ACTION,
            Status.PROCESSING,
            Status.SUCCEEDED,
            Status.FAILED,
            Status.CANCELLED,
            Status.EXPIRED,
        },
        Status.REQUIRES_ACTION: {
            Status.PROCESSING,
            Status.SUCCEEDED,
            Status.FAILED,
            Status.CANCELLED,
            Status.EXPIRED,
        },
        Status.PROCESSING: {Status.SUCCEEDED, Status.FAILED, Status.CANCELLED},
        Status.SUCCEEDED: {Status.REFUNDED, Status.PARTLY_REFUNDED, Status.DISPUTED},
        Status.PARTLY_REFUNDED: {Status.REFUNDED, Status.PARTLY_REFUNDED, Status.DISPUTED},
        Status.DISPUTED: {Status.SUCCEEDED, Status.REFUNDED, Status.PARTLY_REFUNDED},
        Status.REFUNDED: set(),
        Status.FAILED: set(),
        Status.CANCELLED: set(),
        Status.EXPIRED: set(),
    }

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
        return self.status in {
            self.Status.CREATED,
            self.Status.CONFIRMING,
            self.Status.REQUIRES_ACTION,
            self.Status.PROCESSING,
        }


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
        from hackney_portal.core.templatetags.govuk import pence

        return f"{self.account} #{self.seq} {self.kind} {pence(self.amount_pence)}"


class StripeEvent(models.Model):
    """Each webhook event once (unique id), with whether its effect has been applied."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=100, blank=True, db_index=True)
    created = models.BigIntegerField(help_text="Stripe's creation time, Unix seconds")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, default="webhook", help_text="webhook or sweeper")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class SyncCursor(models.Model):
    """Where a sweeper got to in a provider list (e.g. the newest event seen), so it resumes there."""

    name = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


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
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return self.batch_id


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
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "discrepancies"
        constraints = [
            # A second run finds the same problem again but records it once.
            models.UniqueConstraint(fields=["kind", "key"], name="discrepancy_once_per_kind_and_key"),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_by__isnull=False),
                name="discrepancy_resolved_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key}"
