from functools import cache

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from . import roles, visibility
from .models import AuditEvent, Notification, OutboxTask
from .templatetags.govuk import pence


@cache
def _in_pounds(model, name: str):
    """A column or read-only field showing the integer-pence field `name` of `model` in pounds."""
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = name.replace("_", " ")
    label = label.removesuffix("(pence)").removesuffix("in pence").removesuffix("pence").strip() or "amount"

    def show(obj):
        return pence(getattr(obj, name))

    show.__name__ = name.removesuffix("_pence") + "_in_pounds"
    show.short_description = label[:1].upper() + label[1:]
    show.admin_order_field = name
    return show


def _pounds(model, names):
    """Every `*_pence` field name in `names` replaced by its pounds display; other entries as they are."""
    return [_in_pounds(model, n) if isinstance(n, str) and n.endswith("_pence") else n for n in names]


class PenceInPoundsList:
    """Money is stored as integer pence; the back office lists it in pounds (£1,234.56), sortable as
    before."""

    def get_list_display(self, request):
        return _pounds(self.model, super().get_list_display(request))


class PenceInPoundsInline:
    """A read-only inline that shows its `*_pence` fields in pounds."""

    def get_fields(self, request, obj=None):
        return _pounds(self.model, super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return _pounds(self.model, super().get_readonly_fields(request, obj))


class TabularInline(PenceInPoundsInline, admin.TabularInline):
    """A tabular inline for the back office: amounts in pounds, and on a narrow screen the table scrolls
    inside a region that keyboard users can reach and screen readers can name (axe:
    scrollable-region-focusable)."""

    template = "admin/edit_inline/tabular_region.html"


class ReadOnlyAdmin(PenceInPoundsList, admin.ModelAdmin):
    """Records that only services write: staff may look, never edit. Amounts show in pounds, on the list and
    on the record's page."""

    def get_fields(self, request, obj=None):
        return _pounds(self.model, super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return _pounds(self.model, super().get_readonly_fields(request, obj))

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
