from celery.schedules import crontab

# Just after midnight London time: yesterday was the last day to apply for listings closing then.
BEAT_SCHEDULE = {
    "employment-expire": {
        "task": "employment.tasks.opportunities_expire",
        "schedule": crontab(hour=0, minute=5),
    },
}
