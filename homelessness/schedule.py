from celery.schedules import crontab

# Celery's timezone is Europe/London, so these are local times all year round.
BEAT_SCHEDULE = {
    "homelessness-deadline-reminders": {
        "task": "homelessness.tasks.deadline_reminders",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
    # Hourly in working hours: a case received at 9am is escalated by 10am the next working day.
    "homelessness-unassigned-escalations": {
        "task": "homelessness.tasks.unassigned_escalations",
        "schedule": crontab(minute=15, hour="8-18", day_of_week="mon-fri"),
    },
    "homelessness-retention": {
        "task": "homelessness.tasks.retention_delete",
        "schedule": crontab(hour=4, minute=30),
    },
}
