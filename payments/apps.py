from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Pay My Rent"

    def ready(self):
        from . import stripe_gateway

        # stripe-python imports its HTTP client and resource classes on first use, about 70 ms; under load
        # that lands on the first resident to pay after each deploy. Paid here, at start-up, instead.
        stripe_gateway.warm()
