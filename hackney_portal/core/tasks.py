from celery import shared_task


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notification_deliver(self, notification_id: int) -> None:
    from .notifications import notification_deliver as deliver

    deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def outbox_dispatch_pending() -> int:
    from .outbox import outbox_dispatch_pending as dispatch

    return dispatch()


@shared_task(acks_late=True)
def notifications_dispatch_pending() -> int:
    from .notifications import notification_dispatch_pending

    return notification_dispatch_pending()


@shared_task
def ping() -> str:
    return "pong"
