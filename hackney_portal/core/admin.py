from django.contrib import admin
from django.db.models import Q

from hackney_portal.users import roles

from .models import AuditEvent, Notification, OutboxTask

# Audit rows and messages are shared tables across the services; each group reads only its own service's.
# Without this a finance officer who may read the payments audit would also read homelessness rows.
SERVICE_OF_GROUP = {
    roles.FINANCE_OFFICERS: "payments",
    roles.HOUSING_OFFICERS: "homelessness",
    roles.HOUSING_MANAGERS: "homelessness",
    roles.JOBS_MODERATORS: "employment",
}


def services_of(user) -> set[str]:
    return {SERVICE_OF_GROUP[g] for g in user.groups.values_list("name", flat=True) if g in SERVICE_OF_GROUP}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write: staff may look, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceScopedAdmin(ReadOnlyAdmin):
    service_field = ""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        allowed = Q(pk__in=[])
        for service in services_of(request.user):
            allowed |= Q(**{f"{self.service_field}__startswith": f"{service}."}) | Q(
                **{f"{self.service_field}__startswith": f"{service}/"}
            )
        return qs.filter(allowed)


@admin.register(AuditEvent)
class AuditEventAdmin(ServiceScopedAdmin):
    service_field = "action"
    list_display = ["created_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_id", "action"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ServiceScopedAdmin):
    service_field = "template"
    list_display = ["created_at", "template", "to", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "key"]


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "task_name", "dispatched_at", "attempts"]
