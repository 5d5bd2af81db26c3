from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "name"]
    list_filter = ["is_staff", "is_active", "groups"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("name", "reminder_emails")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "manager")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]

    def has_delete_permission(self, request, obj=None):
        # People leave by being made inactive, never deleted here: cases, payments and the audit trail keep
        # who did what, and Django's delete page would list every record that points at the person, notes
        # on restricted cases included, to an administrator who may not be named on them.
        return False
