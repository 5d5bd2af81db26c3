"""What Stripe told us: its events, and the watermark for reading its event list."""

from __future__ import annotations

from django.db import models


class StripeEvent(models.Model):
    """Each webhook event once (unique id), with whether its effect has been applied."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=100, blank=True, db_index=True)
    created = models.BigIntegerField(help_text="Stripe's creation time, Unix seconds")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, default="webhook", help_text="webhook or sweeper")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class SyncCursor(models.Model):
    """Where a sweeper got to in a provider list (e.g. the newest event seen), so it resumes there."""

    name = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
