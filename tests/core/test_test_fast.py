"""`make test-fast` leaves out the slow tests: nothing with a browser, a real worker, a live server,
many hosts, fault injection or processes of its own; `make test-unit` keeps, of the rest, those that
need no database."""

import subprocess
import sys

from tests.conftest import BASE_DIR

FILES = [
    "tests/core/test_registry.py",
    "tests/core/test_beat.py",
    "tests/core/test_settings_modules.py",
    "tests/e2e/test_foundation.py",
    "tests/faults/test_stripe.py",
    "tests/payments/test_webhooks.py",
]


def _selected(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *args, *FILES],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_test_fast_leaves_out_slow_tests_and_keeps_unit_tests():
    everything = _selected()
    fast = _selected("-m", "not slow")
    left_out = everything - fast
    assert fast
    assert fast < everything
    assert not {t for t in fast if t.startswith(("tests/e2e/", "tests/faults/", "tests/core/test_beat.py"))}
    assert not {t for t in fast if t.startswith("tests/core/test_settings_modules.py")}
    # A real worker and a live server (integration), and a scheduler that needs every table flushed.
    assert (
        "tests/payments/test_webhooks.py::test_webhook_torture_2000_events_500_payments_8_senders" in left_out
    )
    assert (
        "tests/core/test_registry.py::test_the_beat_copies_the_registry_schedule_into_its_tables" in left_out
    )
    # Unit tests stay in.
    assert (
        "tests/core/test_registry.py::test_the_registry_lists_the_three_services_each_with_a_start_page"
        in fast
    )
    assert "tests/payments/test_webhooks.py::test_refund_reported_twice_debits_once" in fast


def test_test_unit_selects_the_fast_tests_that_need_no_database():
    unit = _selected("-m", "unit")
    fast = _selected("-m", "not slow")
    assert unit
    assert unit < fast
    assert (
        "tests/core/test_registry.py::test_the_registry_lists_the_three_services_each_with_a_start_page"
        in unit
    )
    # Database tests, by marker or through a fixture, and tests marked slow by hand stay out.
    assert (
        "tests/core/test_registry.py::test_the_home_page_lists_each_service_as_its_app_config_declares_it"
        not in unit
    )
    assert "tests/payments/test_webhooks.py::test_refund_reported_twice_debits_once" not in unit
    assert "tests/core/test_registry.py::test_the_override_is_read_from_the_environment" not in unit
