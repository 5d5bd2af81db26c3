import re
from functools import cache

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from hackney_portal.frontend.formatting import pence

from . import roles, visibility
from .models import AuditEvent, Notification, OutboxTask


@cache
def _in_pounds(model, name: str):
    """A column or read-only field showing the integer-pence field `name` of `model` in pounds."""
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = name.replace("_", " ")
    label = re.sub(r"(?:^|\s+)(?:\(pence\)|in pence|pence)$", "", label).strip() or "amount"

    def show(obj):
        return pence(getattr(obj, name))

    show.__name__ = name.removesuffix("_pence") + "_in_pounds"
    show.short_description = label[:1].upper() + label[1:]
    show.admin_order_field = name
    return show


def _pounds(model, names):
    """Every `*_pence` field name in `names` replaced by its pounds display; other entries as they are."""
    return [_in_pounds(model, n) if isinstance(n, str) and n.endswith("_pence") else n for n in names]


POUNDS = re.compile(r"^£?\s*(\d{1,9})(?:\.(\d{1,2}))?$")


class PoundsField(forms.CharField):
    """An integer-pence model field edited in pounds: shows 1234 as 12.34 and stores "12.34" or "£12" as
    pence. Anything else is refused with a message that says what to type."""

    def prepare_value(self, value):
        return f"{value / 100:.2f}" if isinstance(value, int) else value

    def to_python(self, value):
        value = super().to_python(value)  # an empty box gives empty_value: the model field's default
        if value is None or isinstance(value, int):
            return value
        text = value.replace(",", "").strip()
        match = POUNDS.match(text)
        if not match:
            raise forms.ValidationError("Enter an amount in pounds, like 12.50", code="invalid")
        pounds, pence = match.group(1), (match.group(2) or "0").ljust(2, "0")
        return int(pounds) * 100 + int(pence)


class PenceInPoundsList:
    """Money is stored as integer pence; the back office lists it in pounds (£1,234.56), sortable as
    before."""

    def get_list_display(self, request):
        return _pounds(self.model, super().get_list_display(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # An editable amount is typed in pounds too (a staff member never sees or types pence).
        if db_field.name.endswith("_pence") and db_field.editable and not db_field.choices:
            label = _in_pounds(self.model, db_field.name).short_description
            return PoundsField(
                label=f"{label} (£)",
                required=not db_field.blank and not db_field.has_default(),
                empty_value=db_field.default if db_field.has_default() else None,
                help_text=db_field.help_text,
                initial=db_field.default if db_field.has_default() else None,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


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
