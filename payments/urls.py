from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.start, name="start"),
    path("found/<int:pk>/", views.found, name="found"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/link/", views.link, name="link"),
    path("accounts/<int:pk>/unlink/", views.unlink, name="unlink"),
    path("accounts/<int:pk>/statement/", views.statement, name="statement"),
    path("accounts/<int:pk>/pay/", views.pay, name="pay"),
    path("payments/", views.history, name="history"),
    path("reminders/", views.reminders, name="reminders"),
    path("payments/<str:reference>/card/", views.card, name="card"),
    path("payments/<str:reference>/", views.status, name="status"),
]
