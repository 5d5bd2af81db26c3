from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Pay My Rent"

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
