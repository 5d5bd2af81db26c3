from django.contrib import admin, messages

from hackney_portal.core.forms import ApplicationError

from . import services
from .models import Opportunity, Synonym


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "employer_name", "kind", "status", "closing_date", "published_at"]
    list_filter = ["status", "kind", "sector", "london_living_wage"]
    search_fields = ["title", "employer_name"]
    readonly_fields = [
        "status",
        "published_at",
        "rejection_reason",
        "description_html",
        "created_at",
        "employer",
    ]
    actions = ["publish", "close"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Listings change state only through the moderation actions, which record who did what.
        if change:
            super().save_model(request, obj, form, change)
        else:
            fields = {f: form.cleaned_data[f] for f in form.cleaned_data if f != "description_html"}
            obj.pk = services.opportunity_create(actor=request.user, description=obj.summary, **fields).pk

    @admin.action(description="Publish selected listings", permissions=["change"])
    def publish(self, request, queryset):
        self._each(request, queryset, lambda o: services.opportunity_publish(opp_id=o.pk, actor=request.user))

    @admin.action(description="Close selected listings", permissions=["change"])
    def close(self, request, queryset):
        self._each(request, queryset, lambda o: services.opportunity_close(opp_id=o.pk, actor=request.user))

    def _each(self, request, queryset, fn):
        done = 0
        for opp in queryset:
            try:
                fn(opp)
                done += 1
            except ApplicationError as exc:
                messages.error(request, f"{opp.title}: {exc.message}")
        if done:
            messages.success(request, f"{done} listing(s) updated.")


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "alternatives"]
