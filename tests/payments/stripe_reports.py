"""A test double for Stripe's reporting API, which localstripe does not have.

It answers the three calls `payments.stripe_gateway.balance_report_open` makes (create a report run, read
it, download its file) as Stripe does, with a report built from localstripe's own balance transactions, so a
run from the report and a run from the list API see the same history. The first read of a run says
"pending", so the gateway's waiting is exercised too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "payment_intent_id",
)


def report_csv(txns: list[dict]) -> bytes:
    """Balance transactions (Stripe's list format) as the itemised report has them: amounts in pounds,
    times in UTC, each charge with its PaymentIntent."""
    from payments import stripe_gateway as gateway

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for t in txns:
        source = t.get("source")
        source = source.get("id", "") if isinstance(source, dict) else (source or "")
        kind = t.get("type", "")
        category = "charge" if kind in ("charge", "payment") else kind
        intent = gateway.charge_payment_intent(source) if category == "charge" and source else ""
        writer.writerow(
            [
                t["id"],
                dt.datetime.fromtimestamp(int(t["created"]), dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                t.get("currency", "gbp"),
                f"{int(t['amount']) / 100:.2f}",
                f"{int(t.get('fee') or 0) / 100:.2f}",
                f"{int(t.get('net', t['amount'])) / 100:.2f}",
                category,
                source,
                intent,
            ]
        )
    return out.getvalue().encode()


class ReportsDouble:
    def __init__(self, build_report):
        self.build_report = build_report  # called with (interval_start, interval_end) -> CSV bytes
        # How far the report type's data goes (Stripe's `data_available_end`). By default it covers every
        # window asked for: the tests reconcile today, whose transactions localstripe made a moment ago.
        self.available_end: int | None = None
        self.runs: dict[str, dict] = {}
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, str]] = []
        self._ids = itertools.count(1)
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, kind: str = "application/json"):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                double.requests.append(("POST", self.path, self.headers.get("Authorization", "")))
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path != "/v1/reporting/report_runs":
                    return self._send(404, b"{}")
                n = next(double._ids)
                run = {
                    "id": f"frr_{n}",
                    "object": "reporting.report_run",
                    "report_type": form.get("report_type"),
                    "status": "pending",
                    "result": None,
                    "_interval": (
                        int(form["parameters[interval_start]"]),
                        int(form["parameters[interval_end]"]),
                    ),
                }
                double.runs[run["id"]] = run
                return self._send(200, json.dumps({k: v for k, v in run.items() if k[0] != "_"}).encode())

            def do_GET(self):
                double.requests.append(("GET", self.path, self.headers.get("Authorization", "")))
                if self.path.startswith("/v1/reporting/report_types/"):
                    end = double.available_end
                    if end is None:
                        end = int(time.time()) + 7 * 86400
                    body = {
                        "id": self.path.rsplit("/", 1)[1],
                        "object": "reporting.report_type",
                        "data_available_start": 1_500_000_000,
                        "data_available_end": end,
                    }
                    return self._send(200, json.dumps(body).encode())
                if self.path.startswith("/v1/reporting/report_runs/"):
                    run = double.runs.get(self.path.rsplit("/", 1)[1])
                    if run is None:
                        return self._send(404, b"{}")
                    if run["status"] == "pending":
                        file_id = f"file_{run['id']}"
                        double.files[file_id] = double.build_report(*run["_interval"])
                        run["status"] = "succeeded"
                        run["result"] = {"id": file_id, "url": f"{double.url}/v1/files/{file_id}/contents"}
                    else:
                        pass
                    return self._send(200, json.dumps({k: v for k, v in run.items() if k[0] != "_"}).encode())
                if self.path.startswith("/v1/files/") and self.path.endswith("/contents"):
                    body = double.files.get(self.path.split("/")[3])
                    if body is None:
                        return self._send(404, b"{}")
                    return self._send(200, body, "text/csv")
                return self._send(404, b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
