import os

from celery import Celery
from celery.signals import setup_logging, task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings.development")

app = Celery("hackney_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each app keeps its periodic tasks in `<app>/schedule.py` as BEAT_SCHEDULE; django-celery-beat's database
# scheduler copies them into its tables at start, where staff can see and pause them in the admin.
SCHEDULE_MODULES = [
    "hackney_portal.core.schedule",
    "payments.schedule",
    "employment.schedule",
    "homelessness.schedule",
]


def collect_schedules() -> dict:
    import importlib

    schedule: dict = {}
    for name in SCHEDULE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


app.conf.beat_schedule = collect_schedules()


@setup_logging.connect
def config_loggers(*args, **kwargs):
    # Celery's own log setup would replace ours; use Django's so worker logs are JSON with task ids too.
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@task_postrun.connect
def count_task_outcome(sender=None, state=None, **kwargs):
    # Counted in Redis, not in the worker's memory: workers are not scraped, any web host reports them.
    from hackney_portal.core.metrics import task_outcome_record

    task_outcome_record(task=getattr(sender, "name", "unknown"), outcome=(state or "unknown").lower())
