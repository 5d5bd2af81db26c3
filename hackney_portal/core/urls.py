from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import health, metrics, views
from .sitemaps import SITEMAPS

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("staff-only/", views.staff_only, name="staff_only"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("brand.css", views.brand_css, name="brand_css"),
    path("favicon.svg", views.favicon, name="favicon"),
    path("favicon.ico", views.favicon),
]
