"""H-CLIC code lists, read-only."""

from __future__ import annotations

from django.contrib import admin

from hackney_portal.core.admin import ReadOnlyAdmin

from ..models import CodeList


@admin.register(CodeList)
class CodeListAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "valid_from"]
