from functools import cache

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


def user_has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class _LookupsCheckedOnUse:
    """A changelist that treats a filter in the URL that fails when its query is built (`?created_at__year=-1`
    gives ValueError only then, after the admin has checked the URL's filters) as the admin treats any other
    bad filter: it shows the list with "?e=1", not a server error."""

    def get_results(self, request):
        try:
            super().get_results(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


@cache
def _checked(changelist: type) -> type:
    return type(
        changelist.__name__, (_LookupsCheckedOnUse, changelist), {"__module__": changelist.__module__}
    )


class _CheckedLookupsAdmin:
    def get_changelist(self, request, **kwargs):
        return _checked(super().get_changelist(request, **kwargs))

    def response_action(self, request, queryset):
        # The admin filters by the posted ids as they come: one that is not an id of this list ("x", "1.5")
        # raised ValueError, a 500. Such a selection is treated as Django treats an empty one.
        field = self.model._meta.pk
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                field.get_prep_value(field.to_python(value))
            except (ValidationError, ValueError, TypeError, OverflowError):
                self.message_user(
                    request,
                    "Items must be selected in order to perform actions on them. No items have been changed.",
                    messages.WARNING,
                )
                return None
        return super().response_action(request, queryset)


class PortalAdminSite(admin.AdminSite):
    """The back office. Staff sign in through the one sign-in page and must use two-factor authentication."""

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every list in the back office, the apps' and Django's own (users, groups), checks its URL filters
        # when it uses them, whichever app registered it.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, _CheckedLookupsAdmin):
            admin_class = type(
                admin_class.__name__,
                (_CheckedLookupsAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    site_header = "Back office"
    site_title = "Back office"
    index_title = "Council services"

    def each_context(self, request):
        from django.conf import settings

        ctx = super().each_context(request)
        ctx["site_header"] = f"{settings.COUNCIL['name']} back office"
        ctx["site_title"] = ctx["site_header"]
        return ctx

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        # Asked twice on every back-office page (the admin's view wrapper, then the page's context): the
        # two-factor check is one query a request, not two. Kept on the request, so a new request asks again.
        if getattr(request, "_back_office_mfa_user", None) != user.pk:
            request._back_office_mfa = user_has_mfa(user)
            request._back_office_mfa_user = user.pk
        return request._back_office_mfa

    def index(self, request, extra_context=None):
        # A finance officer (say) lands on their service's own page, not the stock list of models; "?all=1"
        # still shows every list they may open.
        from .registry import staff_home_url

        home = "" if "all" in request.GET else staff_home_url(request.user)
        if home:
            return redirect(home)
        return super().index(request, extra_context)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not user_has_mfa(user):
            messages.warning(request, "Set up two-factor authentication before you use the back office.")
            return redirect("mfa_activate_totp")
        if user.is_authenticated and not user.is_staff:
            return redirect("core:staff_only")
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
