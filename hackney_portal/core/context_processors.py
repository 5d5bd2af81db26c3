from django.conf import settings

from . import registry

# Each public page's description for search results (<meta name="description">), by URL name. Pages not
# named here get one made from the page title (see base.html), so no two pages share one.
PAGE_DESCRIPTIONS = {
    "core:home": "Pay your {short} Council rent, find work and training, and get help with housing, online "
    "at any time of day.",
    "core:accessibility": "How accessible the {service} website is, what does not work well yet, and how "
    "to ask for information in a different format.",
    "core:privacy": "How {name} uses the information you give us online, how long we keep it and your "
    "rights.",
    "core:cookies": "The cookies the {service} website uses and why. We do not use cookies for advertising "
    "or tracking.",
    "account_login": "Sign in to see your rent, your housing application and your job applications in one "
    "place.",
    "account_signup": "Create an account to see your rent, your housing application and your job "
    "applications in one place.",
    "account_reset_password": "Forgotten your password? Get an email with a link to choose a new one.",  # nosec B105
    "payments:start": "Check your {short} Council rent balance and pay your rent online by debit or credit "
    "card.",
    "employment:search": "Search jobs, apprenticeships, training courses and volunteering in {short}.",
    "homelessness:start": "Get help from {name} if you are homeless or might lose your home soon.",
    "homelessness:refer": "Refer someone to {name} who is homeless or might lose their home (the duty to "
    "refer).",
    "users:settings": "Change your name, email, password, two-factor authentication and email settings.",
}


def _page_description(request) -> str:
    match = getattr(request, "resolver_match", None)
    text = PAGE_DESCRIPTIONS.get(match.view_name if match else "", "")
    council = settings.COUNCIL
    return text.format(
        short=council.get("short_name", ""),
        name=council.get("name", ""),
        service=council.get("service_name", ""),
    )


def _service_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return registry.service_name(match.app_name if match else "")


def council(request):
    return {
        "council": settings.COUNCIL,
        "service_name": _service_name(request),
        "stripe_js_url": settings.STRIPE_JS_URL,
        "exit_url": settings.HOMELESSNESS_EXIT_URL,
        "page_description": _page_description(request),
        # The idle timeout as the page sees it: a minute short, since activity is recorded once a minute.
        "session_timeout": max(60, settings.SESSION_IDLE_TIMEOUT - 60),
        "session_warning": settings.SESSION_TIMEOUT_WARNING,
        "session_warning_minutes": max(1, settings.SESSION_TIMEOUT_WARNING // 60),
        "session_idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
    }
