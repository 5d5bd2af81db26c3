from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("", views.search, name="search"),
    path("feed.rss", views.feed_rss, name="feed_rss"),
    path("feed.json", views.feed_json, name="feed_json"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/applied/", views.applied, name="applied"),
    path("<int:pk>/save/", views.save_listing, name="save"),
    path("saved/", views.saved_listings, name="saved"),
    path("applications/", views.my_applications, name="my_applications"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("alerts/new/", views.alert_create, name="alert_create"),
    path("alerts/confirm/<str:token>/", views.alert_confirm, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="alert_unsubscribe"),
]
