from celery import shared_task


@shared_task(acks_late=True)
def deadline_reminders() -> int:
    from .services import deadline_reminders_send

    return deadline_reminders_send()


@shared_task(acks_late=True)
def unassigned_escalations() -> int:
    from .services import unassigned_escalate

    return unassigned_escalate()


@shared_task(acks_late=True)
def retention_delete() -> int:
    from .services import cases_retention_delete

    return cases_retention_delete()


@shared_task(acks_late=True)
def hclic_export(year: int, quarter: int) -> int:
    from .hclic import hclic_export_generate

    return hclic_export_generate(year=year, quarter=quarter, actor=None).pk
