from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "hackney_portal.users"
    label = "users"
    verbose_name = "Users"
