BEAT_SCHEDULE = {
    "outbox-dispatch-pending": {
        "task": "hackney_portal.core.tasks.outbox_dispatch_pending",
        "schedule": 60.0,
    },
    "notifications-dispatch-pending": {
        "task": "hackney_portal.core.tasks.notifications_dispatch_pending",
        "schedule": 300.0,
    },
}
