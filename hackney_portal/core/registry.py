"""The council services the portal is made of, each declared once in its own `AppConfig`.

A service's app config subclasses `PortalService` as well as Django's `AppConfig`, and says there what the
portal needs from it: its name and start page on the home page, its summary of a signed-in resident, its rows
on the account settings page and what it drops when a resident closes their account, its demo data, its
Celery beat schedule and the staff groups who work in it. The portal (home page, account pages, beat, demo
data, the admin's shared logs) reads them from here, so the kernel never names or imports a service: adding a
service is adding an app to INSTALLED_APPS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps
from django.conf import settings

if TYPE_CHECKING:
    from .resident import ResidentSummary, SettingsRow


class PortalService:
    """Mix into a service's `AppConfig` (before `AppConfig`). Override what the service provides; the
    defaults provide nothing."""

    # The service's name in the header and the page title on its own pages, named after the task as GOV.UK
    # services are ("Pay your rent", not a product's name). A council renames it in settings alone:
    # PORTAL_SERVICE_NAME_OVERRIDES (see service_name()).
    task_name: str = ""
    # The home page's entry: a heading that says what a resident can do, its link and one line about it.
    portal_title: str = ""
    portal_description: str = ""
    start_url_name: str = ""
    # Staff groups (hackney_portal.core.roles) whose work is this service: they see its rows in the shared
    # audit and message logs.
    staff_groups: tuple[str, ...] = ()
    # The back-office page this service's staff land on instead of the admin index (a URL name), if any.
    staff_home_url_name: str = ""
    # Where this service's staff land when they sign in with no page to go back to (a URL name and an
    # optional query string): their work queue. Defaults to staff_home_url_name. Unlike that one it does not
    # take over the admin index, which their pages and tests still open.
    staff_landing_url_name: str = ""
    staff_landing_query: str = ""
    # Where "Your Hackney" lists this service's summary among the others (lowest first).
    summary_order: int = 100

    def resident_summary(self, *, user) -> ResidentSummary | None:
        """What this service tells a signed-in resident about themselves; None if they have not used it."""
        return None

    def account_settings_rows(self, *, user) -> list[SettingsRow]:
        return []

    def account_closed(self, *, user, actor) -> None:
        """The resident closed their account: drop what this service holds for the login."""

    def demo_load(self, *, users: dict[str, Any]) -> None:
        """Development only (seed_demo): make this service's demo data; idempotent."""

    def beat_schedule(self) -> dict[str, dict]:
        """Celery beat entries, by name."""
        return {}


def services() -> list[PortalService]:
    """Every installed council service, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, PortalService)]


def service(label: str) -> PortalService:
    config = apps.get_app_config(label)
    if not isinstance(config, PortalService):
        raise LookupError(f"{label} is not a council service")
    return config


def service_name(namespace: str) -> str:
    """The name shown on pages under URL namespace `namespace` (a service's namespace is its app label): the
    council's override, else the service's own `task_name`, else the portal's name."""
    overrides = getattr(settings, "PORTAL_SERVICE_NAME_OVERRIDES", {}) or {}
    for config in services():
        if isinstance(config, AppConfig) and config.label == namespace:
            return overrides.get(namespace) or config.task_name or settings.COUNCIL.get("service_name", "")
    return settings.COUNCIL.get("service_name", "")


def beat_schedule() -> dict[str, dict]:
    """The kernel's own periodic tasks and every service's, for the one beat that sends them."""
    from .schedule import BEAT_SCHEDULE

    schedule = dict(BEAT_SCHEDULE)
    for config in services():
        for name, entry in config.beat_schedule().items():
            if name in schedule:
                raise ValueError(f"two beat entries are called {name!r}")
            schedule[name] = entry
    return schedule


def staff_home_url(user) -> str:
    """Where this staff member lands in the back office: their service's own page, when they work in exactly
    one service that has one. Administrators and people in several services get the index."""
    from django.urls import reverse

    if not user.is_authenticated or user.is_superuser:
        return ""
    names = set(user.groups.values_list("name", flat=True))
    homes = [c.staff_home_url_name for c in services() if names & set(c.staff_groups)]
    if len(homes) == 1 and homes[0]:
        return reverse(homes[0])
    return ""


def staff_landing_url(user) -> str:
    """Where a staff member lands after signing in with no `next`: the back office, at their service's own
    queue or page when they work in exactly one service (administrators and people in several services get
    the index). Not staff: "" (they are residents, and land where residents land)."""
    from django.urls import reverse

    if not (user.is_authenticated and user.is_active and user.is_staff):
        return ""
    if user.is_superuser:
        return reverse("admin:index")
    names = set(user.groups.values_list("name", flat=True))
    mine = [c for c in services() if names & set(c.staff_groups)]
    if len(mine) != 1:
        return reverse("admin:index")
    config = mine[0]
    name = config.staff_landing_url_name or config.staff_home_url_name
    if not name:
        return reverse("admin:index")
    url = reverse(name)
    return f"{url}?{config.staff_landing_query}" if config.staff_landing_query else url


def service_of_group() -> dict[str, str]:
    """Staff group name -> the label of the service whose shared records that group may read."""
    return {
        group: config.label
        for config in services()
        if isinstance(config, AppConfig)
        for group in config.staff_groups
    }
