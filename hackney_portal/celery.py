import os

from celery import Celery
from celery.signals import setup_logging, task_postrun

# Celery's Django support is switched on only if this is set when the app is made.
DEFAULT_SETTINGS_MODULE = "hackney_portal.settings.development"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)

app = Celery("hackney_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The beat schedule is the kernel's and each council service's (their app configs, core/registry.py); the
# beat's scheduler (core/beat.py) reads it once Django is set up, and django-celery-beat's database scheduler
# copies it into its tables at start, where staff can see and pause each job in the admin.


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
