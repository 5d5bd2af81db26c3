from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("hackney_portal.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("your-account/", include("hackney_portal.users.urls")),
    path("pay-rent/", include("payments.urls")),
    path("payments/", include("payments.webhook_urls")),
    path("jobs/", include("employment.urls")),
    path("housing-help/", include("homelessness.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "hackney_portal.core.views.error_400"
handler403 = "hackney_portal.core.views.error_403"
handler404 = "hackney_portal.core.views.error_404"
handler500 = "hackney_portal.core.views.error_500"
