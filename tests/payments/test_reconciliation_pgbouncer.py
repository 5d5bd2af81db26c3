"""Reconciliation from the report works behind PgBouncer in transaction mode: nothing it keeps on the server
(its temporary tables) outlives a transaction."""

import os
import subprocess
import sys

from tests.conftest import BASE_DIR
from tests.core.test_pgbouncer import pgbouncer, pytestmark  # noqa: F401 - the same server, the same skip
from tests.payments.test_reconciliation_report import _big_report, _payments_with_credits


def test_a_chunked_report_run_completes_through_pgbouncer(pgbouncer, account, tmp_path):  # noqa: F811
    _payments_with_credits(account, 25)
    report = tmp_path / "report.csv"
    report.write_bytes(_big_report(25, duplicate_of=7))
    result = subprocess.run(
        [sys.executable, "-m", "tests.payments.recon_pgbouncer_probe", str(report)],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": pgbouncer,
            "DATABASE_POOLER": "pgbouncer",
            "PORTAL_IGNORE_SERVICES_FILE": "1",
        },
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # 25 charges, the provider's second transaction for one of them, and a fee, in seven chunks.
    assert result.stdout == "completed 27 25", result.stdout
