"""Pay My Rent: rent accounts, the append-only ledger, card payments and what Stripe tells us about them.

Money is integer pence. A ledger amount is positive when it adds to what the tenant owes (rent, a
refund paid out, a dispute) and negative when it reduces it (a payment, benefit). The ledger is
append-only (a database trigger refuses UPDATE and DELETE): a correction is a new entry.
"""

from .accounts import AccountLink, AccountLinkCode, RentAccount
from .finance import Discrepancy, IncomeFile, ReconciliationRun
from .ledger import LedgerEntry
from .matches import ReconciliationMatch
from .payments import Dispute, Payment, Refund
from .provider import StripeEvent, SyncCursor

__all__ = [
    "AccountLink",
    "AccountLinkCode",
    "Discrepancy",
    "Dispute",
    "IncomeFile",
    "LedgerEntry",
    "Payment",
    "ReconciliationMatch",
    "ReconciliationRun",
    "Refund",
    "RentAccount",
    "StripeEvent",
    "SyncCursor",
]
