"""A local HTTP server speaking the X API v2 filtered-stream endpoints, for tests only.

It serves the rules endpoints and the stream (newline-delimited JSON with keep-alive blank
lines), scripted per connection: a list of lines then a clean disconnect, or an HTTP status.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STREAM = "/2/tweets/search/stream"
RULES = "/2/tweets/search/stream/rules"

Connection = int | list[dict[str, Any] | str]  # an HTTP status, or lines ("" = keep-alive)


@dataclass
class Scenario:
    token: str
    connections: list[Connection] = field(default_factory=list)
    rules: list[dict[str, str]] = field(default_factory=list)
    reject_rules: set[str] = field(default_factory=set)
    stream_requests: list[dict[str, Any]] = field(default_factory=list)
    connection_times: list[float] = field(default_factory=list)
    next_rule_id: int = 1


class _Handler(BaseHTTPRequestHandler):
    scenario: Scenario
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.scenario.token}":
            self._json(401, {"title": "Unauthorized", "type": "about:blank", "status": 401})
            return False
        return True

    def do_GET(self) -> None:
        if not self._authorized():
            return
        path = self.path.split("?", 1)[0]
        if path == RULES:
            rules = self.scenario.rules
            self._json(
                200,
                {"data": rules, "meta": {"result_count": len(rules)}}
                if rules
                else {"meta": {"result_count": 0}},
            )
        elif path == STREAM:
            self._stream()
        else:
            self._json(404, {"title": "Not Found"})

    def do_POST(self) -> None:
        if not self._authorized():
            return
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if "add" in body:
            created, errors = [], []
            for rule in body["add"]:
                if rule["value"] in self.scenario.reject_rules:
                    errors.append(
                        {
                            "value": rule["value"],
                            "title": "UnprocessableEntity",
                            "details": ["Rules must contain a non-stopword term"],
                        }
                    )
                    continue
                entry = {"id": str(self.scenario.next_rule_id), **rule}
                self.scenario.next_rule_id += 1
                self.scenario.rules.append(entry)
                created.append(entry)
            answer: dict[str, Any] = {"meta": {"summary": {"created": len(created)}}}
            if created:
                answer["data"] = created
            if errors:
                answer["errors"] = errors
            self._json(200, answer)
        elif "delete" in body:
            ids = set(body["delete"].get("ids", []))
            self.scenario.rules = [r for r in self.scenario.rules if r["id"] not in ids]
            self._json(200, {"meta": {"summary": {"deleted": len(ids)}}})
        else:
            self._json(400, {"title": "Invalid Request"})

    def _stream(self) -> None:
        self.scenario.stream_requests.append({"query": self.path.split("?", 1)[-1]})
        self.scenario.connection_times.append(time.monotonic())
        if not self.scenario.connections:
            self._json(503, {"title": "Service Unavailable"})
            return
        connection = self.scenario.connections.pop(0)
        if isinstance(connection, int):
            self._json(connection, {"title": "scripted error", "status": connection})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in connection:
            payload = (json.dumps(line) if isinstance(line, dict) else line).encode() + b"\r\n"
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()
            time.sleep(0.01)
        self.wfile.write(b"0\r\n\r\n")  # a clean end of stream: the client reconnects
        self.close_connection = True


@contextmanager
def serve(scenario: Scenario, port: int = 0) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"scenario": scenario})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
