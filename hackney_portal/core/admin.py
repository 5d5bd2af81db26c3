from django.contrib import admin
from django.db.models import Q

from . import roles, visibility
from .models import AuditEvent, Notification, OutboxTask


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write: staff may look, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceScopedAdmin(ReadOnlyAdmin):
    """Audit rows and sent messages are tables shared by the services: each group reads only its own
    service's, named by the prefix of `service_field` ("payments.refund.created", "homelessness/email/"),
    and only the rows its app's registered scope lets this person see (`core.visibility`)."""

    service_field = ""
    separator = ""

    def get_queryset(self, request):
        # Each app's own rules apply to everyone, administrators too (a restricted case is hidden from
        # anyone not named on it); list, search, filters, counts and the change page all start here.
        qs = visibility.visible_to(request.user, super().get_queryset(request))
        if request.user.is_superuser:
            return qs
        allowed = Q(pk__in=[])
        for service in roles.services_of(request.user):
            allowed |= Q(**{f"{self.service_field}__startswith": service + self.separator})
        return qs.filter(allowed)


@admin.register(AuditEvent)
class AuditEventAdmin(ServiceScopedAdmin):
    service_field = "action"
    separator = "."
    list_display = ["created_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_id", "action"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ServiceScopedAdmin):
    service_field = "template"
    separator = "/"
    list_display = ["created_at", "template", "to", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "key"]


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "task_name", "dispatched_at", "attempts"]
