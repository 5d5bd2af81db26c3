from django.urls import path

from . import views

app_name = "users"
urlpatterns = [
    path("", views.account_settings, name="settings"),
    path("name/", views.name_change, name="name"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("close/", views.close_account, name="close"),
]
