"""Rent accounts and the logins linked to them."""

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
