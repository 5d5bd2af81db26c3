from django.apps import AppConfig


class DevservicesConfig(AppConfig):
    name = "hackney_portal.devservices"
    label = "devservices"
    verbose_name = "Development servers"
