"""Reconciliation matches: which provider transaction paid for which payment and ledger credit."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class ReconciliationMatch(models.Model):
    """A provider balance transaction claimed by our payment: the first transaction for a payment claims it
    (it matches when the payment's ledger credit is for the same amount; otherwise a discrepancy says why).

    Insert-only (a database trigger refuses UPDATE and DELETE), written by one set-based statement per chunk
    of the provider's report. The unique transaction and payment ids make a re-run, or a resumed run, record
    nothing twice, and a second transaction for a payment already claimed a duplicate. The ids are
    plain columns, not foreign keys: payments and ledger entries are never deleted (PROTECT and the ledger's
    own trigger), and checking a foreign key per row costs a quarter of the run at a million rows.
    """

    run_id = models.BigIntegerField()
    # Unique by a constraint, not `unique=True`: that also builds a second (LIKE) index nobody queries,
    # a quarter of what each claimed row costs to insert. Compared byte by byte ("C"): it is the provider's
    # opaque id, and locale-aware comparison made each row's index insert slower (0.3 s at a million rows).
    txn_id = models.CharField(max_length=64, db_collation="C")
    # The payment is the key: one match per payment, and no separate id column to index on every insert.
    payment_id = models.BigIntegerField(primary_key=True)
    # Empty when the payment had no ledger credit when it was claimed (a discrepancy says so).
    ledger_entry_id = models.BigIntegerField(null=True, blank=True)
    amount_pence = models.BigIntegerField()
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gt=0), name="recon_match_amount_positive"
            ),
            models.UniqueConstraint(fields=["txn_id"], name="recon_match_one_per_txn"),
        ]

    def __str__(self) -> str:
        return f"{self.txn_id} -> payment {self.payment_id}"
