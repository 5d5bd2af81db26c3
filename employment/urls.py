from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("", views.search, name="search"),
    path("feed.rss", views.LiveFeed(), name="feed_rss"),
    path("feed.json", views.feed_json, name="feed_json"),
    path("<int:pk>/", views.detail, name="detail"),
]
