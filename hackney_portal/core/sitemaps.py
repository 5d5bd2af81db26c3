"""The sitemap of public pages (django.contrib.sitemaps): the start pages anyone may open. Nothing behind
sign-in, no token links, no case or account pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

PUBLIC_PAGES = [
    "core:home",
    "payments:start",
    "employment:search",
    "homelessness:start",
    "homelessness:refer",
    "core:accessibility",
    "core:privacy",
    "core:cookies",
    "account_signup",
    "account_login",
]


class PublicPagesSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return PUBLIC_PAGES

    def location(self, item):
        return reverse(item)

    def priority(self, item):
        return 1.0 if item == "core:home" else 0.5

    # Links carry the portal's public address (PORTAL_SITE_URL), not the django.contrib.sites record.
    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"


SITEMAPS = {"pages": PublicPagesSitemap}
