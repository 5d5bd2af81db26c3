from django.urls import path

from . import employer_views, views

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
    path("employers/", employer_views.employer_listings, name="employer_listings"),
    path("employers/new/", employer_views.employer_new, name="employer_new"),
    path("employers/<int:pk>/edit/", employer_views.employer_edit, name="employer_edit"),
    path(
        "employers/<int:pk>/applications/", employer_views.employer_applications, name="employer_applications"
    ),
    path(
        "employers/applications/<int:pk>/", employer_views.employer_application, name="employer_application"
    ),
    path(
        "employers/applications/<int:pk>/cv/",
        employer_views.employer_application_cv,
        name="employer_application_cv",
    ),
    path("alerts/new/", views.alert_create, name="alert_create"),
    path("alerts/confirm/<str:token>/", views.alert_confirm, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alert_unsubscribe, name="alert_unsubscribe"),
]
