"""The container's liveness check: GET /healthz as the load balancer would send it.

Production refuses unknown hosts and redirects plain HTTP to HTTPS, so the request names the first allowed
host and says it arrived over HTTPS, as the load balancer in front does. Standard library only.
"""

import http.client
import os
import sys

host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
port = int(os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[1])
try:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
    status = conn.getresponse().status
except OSError as exc:
    sys.stderr.write(f"unhealthy: {exc}\n")
    sys.exit(1)
sys.exit(0 if status == 200 else 1)
