"""The ledger's own checks, run after a restore from backup (and at any time): `manage.py ledger_check`.

Each is one set-based statement over the whole ledger, so it is as fast on a million entries as on ten:
- every account's balance is the sum of its entries, and each entry's running balance follows from the last;
- each account's entries are numbered 1..n with no gap (a gap means an entry was lost);
- every card payment the portal counts as taken is credited exactly once, for its amount, and nothing else is;
- the triggers that make the ledger append-only are in place (a restore with --no-triggers would drop them).
"""

from __future__ import annotations

from django.db import connection

CHECKS: dict[str, str] = {
    "balance is the sum of the entries": """
        SELECT a.reference FROM payments_rentaccount a
        LEFT JOIN payments_ledgerentry e ON e.account_id = a.id
        GROUP BY a.id HAVING a.balance_pence <> COALESCE(SUM(e.amount_pence), 0)
    """,
    "running balances follow each other": """
        SELECT a.reference FROM (
            SELECT account_id, seq, balance_after_pence,
                   SUM(amount_pence) OVER (PARTITION BY account_id ORDER BY seq) AS running
            FROM payments_ledgerentry
        ) e JOIN payments_rentaccount a ON a.id = e.account_id
        WHERE e.balance_after_pence <> e.running
    """,
    "entries numbered without gaps": """
        SELECT a.reference FROM payments_ledgerentry e JOIN payments_rentaccount a ON a.id = e.account_id
        GROUP BY a.id HAVING MIN(e.seq) <> 1 OR MAX(e.seq) <> COUNT(*)
    """,
    "each taken payment credited once, for its amount": """
        SELECT p.reference FROM payments_payment p
        LEFT JOIN payments_ledgerentry e ON e.payment_id = p.id AND e.kind = 'card_payment'
        WHERE p.status IN ('succeeded', 'refunded', 'partly_refunded', 'disputed')
        GROUP BY p.id HAVING COUNT(e.id) <> 1 OR MIN(-e.amount_pence) <> p.amount_pence
        UNION ALL
        SELECT p.reference FROM payments_payment p
        JOIN payments_ledgerentry e ON e.payment_id = p.id AND e.kind = 'card_payment'
        WHERE p.status NOT IN ('succeeded', 'refunded', 'partly_refunded', 'disputed')
    """,
    "ledger is append-only": """
        SELECT 'payments_ledgerentry' WHERE NOT EXISTS (
            SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relname = 'payments_ledgerentry' AND NOT t.tgisinternal AND t.tgenabled <> 'D'
        )
    """,
}


def ledger_check(*, limit: int = 20) -> dict[str, list[str]]:
    """Each check's name with up to `limit` references that fail it; an empty list means it passed."""
    failures: dict[str, list[str]] = {}
    with connection.cursor() as cur:
        for name, sql in CHECKS.items():
            # The SQL is this module's own constants; only the limit is a parameter.
            cur.execute(f"SELECT * FROM ({sql}) failing LIMIT %s", [limit])  # noqa: S608  # nosec B608
            failures[name] = [str(row[0]) for row in cur.fetchall()]
    return failures
