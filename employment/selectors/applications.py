"""Hackney Works reads: applications."""

from __future__ import annotations

from django.db.models import QuerySet


def applications_for_user(*, user) -> QuerySet:
    """A signed-in jobseeker's own applications, newest first (never anyone else's)."""
    from ..models import Application

    return Application.objects.filter(user=user).select_related("opportunity").order_by("-created_at")
