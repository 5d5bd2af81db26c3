from django.apps import AppConfig


class HomelessnessConfig(AppConfig):
    name = "homelessness"
    verbose_name = "Homelessness casework"
