"""JSON log lines carrying the request id, safe against forged lines."""

import json
import logging
from datetime import UTC, datetime

from .middleware import current_request_id, request_route


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        _redact_request_path(record)
        return True


def _redact_request_path(record: logging.LogRecord) -> None:
    """Django's own request loggers ("Not Found: /housing-help/status/<token>/", "Internal Server Error: ...")
    put the full path in the message; put the matched route there instead, as our request log does."""
    request = getattr(record, "request", None)
    if request is None or not isinstance(record.args, tuple):
        return
    paths = {getattr(request, "path", ""), getattr(request, "path_info", ""), request.get_full_path()}
    # Django escapes control and non-ASCII characters in the path before logging it (log_response).
    secrets = paths | {p.encode("unicode_escape").decode("ascii") for p in paths}
    route = request_route(request)
    record.args = tuple(route if isinstance(arg, str) and arg in secrets else arg for arg in record.args)


class JsonFormatter(logging.Formatter):
    # JSON encoding escapes CR and LF, so user input in a message can never start a new log line.
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for extra in (
            "task_id",
            "status_code",
            "path",
            "method",
            "duration_ms",
            "user_id",
            "url_name",
        ):
            if hasattr(record, extra):
                entry[extra] = getattr(record, extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
