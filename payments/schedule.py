from celery.schedules import crontab

BEAT_SCHEDULE = {
    "payments-sweep": {"task": "payments.tasks.payments_sweep", "schedule": 300.0},
    "payments-recover-events": {"task": "payments.tasks.stripe_events_recover", "schedule": 600.0},
    # Celery's timezone is Europe/London, so this is 02:00 local time all year round.
    # Friday morning, so the reminder arrives before Monday's due date.
    "payments-arrears-reminders": {
        "task": "payments.tasks.arrears_reminders",
        "schedule": crontab(day_of_week="fri", hour=9, minute=0),
    },
    "payments-reconciliation": {
        "task": "payments.tasks.reconciliation_nightly",
        "schedule": crontab(hour=3, minute=0),
    },
    "payments-income-file": {
        "task": "payments.tasks.income_file_yesterday",
        "schedule": crontab(hour=2, minute=0),
    },
}
