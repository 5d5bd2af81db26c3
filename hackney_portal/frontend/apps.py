from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "hackney_portal.frontend"
    label = "frontend"
    verbose_name = "GOV.UK components"
