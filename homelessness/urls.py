from django.urls import path

from . import views

app_name = "homelessness"
urlpatterns = [
    path("", views.start, name="start"),
]
