"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser) against live_server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety guard would then refuse
# the database calls that the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-dev-shm-usage",
        ],
    )
    yield browser
    browser.close()
    pw.stop()


class ConsoleErrors(list):
    pass


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    viewport = getattr(request, "param", None) or {"width": 1280, "height": 900}
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = ConsoleErrors()
    # A CSP violation or a script error shows up as a console error: pages must have none.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server, transactional_db):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_accessible(page, *, context: str | None = None) -> None:
    """Run axe-core on the page as it stands; fail with every WCAG 2.2 AA violation listed."""
    from axe_playwright_python.sync_playwright import Axe

    # A click that navigates returns once the next page is committed, not loaded: check the whole page.
    page.wait_for_load_state()
    results = Axe().run(page, context=context, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    if violations:
        lines = [f"{page.url}: {len(violations)} accessibility violation(s)"]
        for v in violations:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} -> {targets}")
        pytest.fail("\n".join(lines))


def sign_in_with_two_factor(page, email: str, password: str, *, check_accessible: bool = False) -> None:
    """From the sign-in page a protected URL redirected to: password, then the authenticator code."""
    import re

    from tests.conftest import totp_now

    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    if check_accessible:
        assert_accessible(page)
    page.fill("input[name=code]", totp_now())
    page.get_by_role("button", name=re.compile("^(sign in|continue)$", re.I)).click()
