from celery.schedules import crontab

# Just after midnight London time: yesterday was the last day to apply for listings closing then.
BEAT_SCHEDULE = {
    "employment-alerts": {"task": "employment.tasks.alerts_send", "schedule": crontab(hour=7, minute=0)},
    "employment-expire": {
        "task": "employment.tasks.opportunities_expire",
        "schedule": crontab(hour=0, minute=5),
    },
}
