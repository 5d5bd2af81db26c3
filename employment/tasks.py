from celery import shared_task


@shared_task(acks_late=True)
def opportunities_expire() -> int:
    from hackney_portal.core.calendar import business_date

    from .services import opportunities_expire as expire

    return expire(today=business_date())


@shared_task(acks_late=True)
def alerts_send() -> int:
    from .services import alerts_send as send

    return send()
