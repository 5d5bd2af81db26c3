from django.apps import AppConfig

from hackney_portal.core import roles
from hackney_portal.core.registry import PortalService


class PaymentsConfig(PortalService, AppConfig):
    name = "payments"
    verbose_name = "Pay My Rent"
    task_name = "Pay your rent"
    portal_title = "Pay your rent"
    portal_description = "Check your rent balance and statement, and pay by debit or credit card."
    start_url_name = "payments:start"
    staff_groups = (roles.FINANCE_OFFICERS,)
    staff_home_url_name = "admin:payments_dashboard"
    summary_order = 10

    def resident_summary(self, *, user):
        from .selectors import resident_summary

        return resident_summary(user=user)

    def account_settings_rows(self, *, user):
        from .selectors import account_settings_rows

        return account_settings_rows(user=user)

    def account_closed(self, *, user, actor) -> None:
        from .services import resident_account_closed

        resident_account_closed(user=user, actor=actor)

    def demo_load(self, *, users) -> None:
        from .demo import demo_load

        demo_load(users=users)

    def beat_schedule(self) -> dict:
        from .schedule import BEAT_SCHEDULE

        return BEAT_SCHEDULE

    def ready(self):
        from . import stripe_gateway

        # stripe-python imports its HTTP client and resource classes on first use, about 70 ms; under load
        # that lands on the first resident to pay after each deploy. Paid here, at start-up, instead.
        stripe_gateway.warm()
        _register_metrics()


def _register_metrics() -> None:
    from hackney_portal.core.metrics import gauge_register

    from .models import Discrepancy, Payment

    waiting = [Payment.Status.CONFIRMING, Payment.Status.REQUIRES_ACTION, Payment.Status.PROCESSING]
    gauge_register(
        "portal_payments_awaiting_confirmation",
        "Card payments taken or being taken, not yet confirmed by the provider",
        lambda: Payment.objects.filter(status__in=waiting).count(),
    )
    gauge_register(
        "portal_payments_open_discrepancies",
        "Reconciliation discrepancies nobody has resolved",
        lambda: Discrepancy.objects.filter(status=Discrepancy.Status.OPEN).count(),
    )
