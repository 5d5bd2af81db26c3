BEAT_SCHEDULE = {
    "payments-sweep": {"task": "payments.tasks.payments_sweep", "schedule": 300.0},
    "payments-recover-events": {"task": "payments.tasks.stripe_events_recover", "schedule": 600.0},
}
