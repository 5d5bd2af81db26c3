from django.conf import settings


def council(request):
    return {
        "council": settings.COUNCIL,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "exit_url": settings.HOMELESSNESS_EXIT_URL,
    }
