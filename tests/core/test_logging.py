import json
import logging

from hackney_portal.core.logging import JsonFormatter, RequestIdFilter


def _format(message: str, *args) -> str:
    record = logging.LogRecord("portal.test", logging.WARNING, __file__, 1, message, args, None)
    RequestIdFilter().filter(record)
    return JsonFormatter().format(record)


def test_crlf_in_user_input_cannot_forge_a_log_line():
    line = _format("lookup failed for %s", 'abc\r\n{"level": "INFO", "message": "forged"}')
    assert "\n" not in line
    assert "\r" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["message"].startswith("lookup failed for abc\r\n")


def test_log_lines_carry_the_request_id(client, db, caplog):
    caplog.set_level(logging.INFO, logger="hackney_portal.access")
    response = client.get("/", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 200
    record = next(r for r in caplog.records if r.name == "hackney_portal.access")
    assert record.request_id == "req-42"
    assert json.loads(JsonFormatter().format(record))["request_id"] == "req-42"
