"""Hackney Works reads for Your Hackney and account settings."""

from __future__ import annotations

import datetime as dt

APPLICATION_NEWS_DAYS = 28
APPLICATION_NEWS = {
    "shortlisted": "You have been shortlisted. The employer will contact you about the next step.",
    "unsuccessful": "Your application was not successful this time.",
    "hired": "You got the job. The employer will contact you.",
}


def resident_summary(*, user, now: dt.datetime | None = None):
    """Your Hackney: the resident's job applications (with any news from the last four weeks), saved
    jobs and job alerts. None when they have used none of these."""
    from django.urls import reverse
    from django.utils import timezone

    from hackney_portal.core.models import AuditEvent
    from hackney_portal.core.resident import ResidentSummary, ResidentTask

    from ..models import Application, SavedListing, SavedSearch

    applications = list(Application.objects.filter(user=user).select_related("opportunity"))
    saved = SavedListing.objects.filter(user=user).count()
    alerts = SavedSearch.objects.filter(
        user=user, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).count()
    if not (applications or saved or alerts):
        return None
    since = (now or timezone.now()) - dt.timedelta(days=APPLICATION_NEWS_DAYS)
    changed = set(
        AuditEvent.objects.filter(
            object_type="employment.application",
            object_id__in=[str(a.pk) for a in applications],
            action__in=[f"employment.application.{s}" for s in APPLICATION_NEWS],
            created_at__gte=since,
        ).values_list("object_id", flat=True)
    )
    rows, tasks = [], []
    for application in applications:
        job_url = reverse("employment:detail", args=[application.opportunity_id])
        rows.append((application.opportunity.title, application.get_status_display(), job_url))
        if str(application.pk) in changed and application.status in APPLICATION_NEWS:
            tasks.append(
                ResidentTask(
                    text=f"News about your application for {application.opportunity.title}: "
                    f"{APPLICATION_NEWS[application.status]}",
                    action_text="See the job",
                    url=job_url,
                )
            )
    links = [("Search for jobs and training", reverse("employment:search"))]
    if saved:
        rows.append(("Saved jobs", str(saved), reverse("employment:saved")))
    if alerts:
        rows.append(("Job alerts", f"{alerts} by email", ""))
    return ResidentSummary(
        service="Find work and training",
        url=reverse("employment:search"),
        rows=rows,
        links=links,
        tasks=tasks,
    )


def account_settings_rows(*, user):
    """Account settings: the resident's job alerts, each with a link that stops it."""
    from django.urls import reverse

    from hackney_portal.core.resident import SettingsRow

    from ..models import SavedSearch

    alerts = SavedSearch.objects.filter(user=user, unsubscribed_at__isnull=True).order_by("created_at")
    rows = [
        SettingsRow(
            key="Job alert",
            value=f"{alert.get_frequency_display()} email: {alert.query or 'all jobs'}"
            + ("" if alert.confirmed_at else " (not confirmed yet)"),
            url=reverse("employment:alert_unsubscribe", args=[alert.token]),
            action_text="Stop",
        )
        for alert in alerts
    ]
    return rows or [
        SettingsRow(key="Job alerts", value="None", url=reverse("employment:search"), action_text="Set up")
    ]
