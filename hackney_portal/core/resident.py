"""Your Hackney: what each service tells a signed-in resident about themselves, gathered for the home page.

Core never imports the services. Each service's app config (a `registry.PortalService`) has a
`resident_summary(user=)` that returns a ResidentSummary, or None when the resident has not used that service
(so the home page shows nothing of it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from . import registry
from .audit import audit_log


@dataclass(frozen=True)
class ResidentTask:
    """One thing the resident needs to do, with the link that does it."""

    text: str
    action_text: str
    url: str
    due_on: dt.date | None = None
    # Overdue or owed now: listed before everything else.
    urgent: bool = False


@dataclass(frozen=True)
class ResidentSummary:
    service: str
    url: str
    # (what, its value, a link to see more or "") in the summary list.
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    tasks: list[ResidentTask] = field(default_factory=list)
    # (action, object) for each record whose data the page shows, written to the audit log when shown.
    audit: list[tuple[str, Any]] = field(default_factory=list)


def resident_summaries(*, user) -> list[ResidentSummary]:
    """Every service's summary for this resident (in each service's `summary_order`), leaving out services
    not used."""
    if not getattr(user, "is_authenticated", False):
        return []
    summaries = []
    for service in sorted(registry.services(), key=lambda service: service.summary_order):
        summary = service.resident_summary(user=user)
        if summary is not None:
            summaries.append(summary)
    return summaries


def resident_tasks(summaries: list[ResidentSummary]) -> list[ResidentTask]:
    """Every service's tasks together: urgent first, then by due date (undated last)."""
    tasks = [task for summary in summaries for task in summary.tasks]
    return sorted(tasks, key=lambda t: (not t.urgent, t.due_on is None, t.due_on or dt.date.max))


@transaction.atomic
def resident_home_record(*, actor, summaries: list[ResidentSummary]) -> None:
    """Reads of records that must be audited (a housing case) are logged as the page shows them."""
    for summary in summaries:
        for action, obj in summary.audit:
            audit_log(actor=actor, action=action, obj=obj)


@dataclass(frozen=True)
class SettingsRow:
    """One row of the account settings page that a service owns (rent accounts, job alerts)."""

    key: str
    value: str
    url: str = ""
    action_text: str = "Change"


def account_settings_rows(*, user) -> list[SettingsRow]:
    if not getattr(user, "is_authenticated", False):
        return []
    rows: list[SettingsRow] = []
    for service in registry.services():
        rows.extend(service.account_settings_rows(user=user))
    return rows
