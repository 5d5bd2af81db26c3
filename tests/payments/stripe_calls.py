"""Count the calls the portal makes to the card provider, at the network boundary.

A pass-through HTTP proxy in front of the real localstripe: every request is forwarded unchanged and its
answer returned unchanged, and (method, path) is recorded. Pointing `STRIPE_API_BASE` at it counts every call
made through the gateway, from this process or from a Celery worker process, with nothing replaced.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


class StripeCallCounter:
    def __init__(self, upstream: str):
        self.upstream = urlsplit(upstream)
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        counter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with counter._lock:
                    counter.calls.append((self.command, self.path.split("?")[0]))
                conn = http.client.HTTPConnection(
                    counter.upstream.hostname, counter.upstream.port, timeout=30
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _forward

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StripeCallCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def intent_reads(self, intent_id: str) -> int:
        return sum(1 for method, path in self.calls if method == "GET" and path.endswith(f"/{intent_id}"))
