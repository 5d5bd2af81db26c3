from celery import shared_task
from django.db import OperationalError

from .stripe_gateway import GatewayError


@shared_task(
    acks_late=True,
    # A deadlock or a lost connection rolls the whole batch back, so trying again is safe (each event is
    # marked applied in the transaction that applies it); the sweeper re-queues anything left after that.
    autoretry_for=(GatewayError, OperationalError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=10,
)
def stripe_event_process(event_pk: int) -> None:
    from .services import stripe_event_process as process

    process(event_pk=event_pk)


@shared_task(acks_late=True)
def payments_sweep() -> dict:
    from .services import payments_sweep as sweep

    return sweep()


@shared_task(acks_late=True, autoretry_for=(GatewayError,), retry_backoff=True, max_retries=5)
def stripe_events_recover() -> int:
    from .services import stripe_events_recover as recover

    return recover()


@shared_task(acks_late=True)
def income_file_yesterday() -> str:
    import datetime as dt

    from .calendar import business_date
    from .services import income_file_generate

    return income_file_generate(day=business_date() - dt.timedelta(days=1)).batch_id


@shared_task(acks_late=True)
def arrears_reminders() -> int:
    from .services import arrears_reminders_send

    return arrears_reminders_send()


def _reconcile(task, period_start, period_end) -> int:
    """Run (or resume) a period's reconciliation; when the provider cannot give its report yet (it finishes a
    day's data some hours later) or cannot be reached, try again later. The run resumes where it stopped, so
    trying again never counts anything twice."""
    from django.conf import settings

    from .services import reconciliation_start

    try:
        return reconciliation_start(period_start=period_start, period_end=period_end).pk
    except GatewayError as exc:
        if not exc.retryable:
            raise
        raise task.retry(exc=exc, countdown=settings.PAYMENTS_RECONCILIATION_RETRY_SECONDS) from exc


# Retried for up to about 12 hours at the default 45 minutes (PAYMENTS_RECONCILIATION_RETRY_SECONDS).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=16)
def reconciliation_run(self, period_start: str, period_end: str) -> int:
    import datetime as dt

    return _reconcile(self, dt.date.fromisoformat(period_start), dt.date.fromisoformat(period_end))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=16)
def reconciliation_nightly(self) -> int:
    import datetime as dt

    from .calendar import business_date

    yesterday = business_date() - dt.timedelta(days=1)
    return _reconcile(self, yesterday, yesterday)


@shared_task(
    acks_late=True,
    # Each round is one transaction that waits for no lock; a lost connection rolls the round back.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=10,
)
def stripe_events_apply() -> int:
    from .services import stripe_events_apply as apply

    return apply()
