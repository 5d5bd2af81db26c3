"""Explicit audit events, written by services (never by signals), in the caller's transaction."""

from __future__ import annotations

from typing import Any

from .middleware import current_request
from .models import AuditEvent


def audit_log(*, actor, action: str, obj: Any = None, data: dict | None = None) -> AuditEvent:
    request = current_request()
    object_type = object_id = ""
    if obj is not None:
        object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=(user.email if user else (str(actor) if actor else "system")),
        action=action,
        object_type=object_type,
        object_id=object_id,
        data=data or {},
        request_id=getattr(request, "request_id", "") if request else "",
        ip_address=(request.META.get("REMOTE_ADDR") if request else None),
    )


def audit_log_many(*, actor, entries: list[tuple[str, Any, dict]]) -> list[AuditEvent]:
    """`audit_log` for many (action, obj, data) at once, in one INSERT: for services that apply a batch."""
    request = current_request()
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            actor_label=(user.email if user else (str(actor) if actor else "system")),
            action=action,
            object_type=f"{obj._meta.app_label}.{obj._meta.model_name}" if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            data=data or {},
            request_id=getattr(request, "request_id", "") if request else "",
            ip_address=(request.META.get("REMOTE_ADDR") if request else None),
        )
        for action, obj, data in entries
    )
