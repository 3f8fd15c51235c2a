"""An HTTP proxy in front of a real Elasticsearch node that answers some bulk requests itself,
as an overloaded or failing cluster does: whole-request 429 or 503 answers, or one item of a
forwarded bulk answered 429. Everything else reaches the node unchanged."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What the proxy does with the n-th bulk request (0-based): "forward", "429", "503", or
# "item-429" (forwarded, then its first item's answer replaced by a 429).
Plan = Callable[[int], str]


class FaultyElasticsearch:
    def __init__(self, node: tuple[str, int], plan: Plan) -> None:
        self.node, self.plan = node, plan
        self.bulks: list[str] = []  # what was done with each bulk request, in order
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.split("?")[0].endswith("/_bulk"):
                    with proxy._lock:
                        action = proxy.plan(len(proxy.bulks))
                        proxy.bulks.append(action)
                else:
                    action = "forward"
                if action in ("429", "503"):
                    error = {"error": {"type": "es_rejected_execution_exception"}, "status": 429}
                    self._answer(int(action), json.dumps(error).encode())
                    return
                status, answer = proxy._forward(self.command, self.path, body, self.headers)
                if action == "item-429":
                    result = json.loads(answer)
                    first = next(iter(result["items"][0].values()))
                    first["status"] = 429
                    first["error"] = {"type": "es_rejected_execution_exception",
                                      "reason": "rejected execution (test)"}  # fmt: skip
                    result["errors"] = True
                    answer = json.dumps(result).encode()
                self._answer(status, answer)

            do_PUT = do_POST
            do_GET = do_POST

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _forward(self, method: str, path: str, body: bytes, headers: Message) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(*self.node, timeout=60)
        try:
            content_type = headers.get("Content-Type", "application/json")
            connection.request(method, path, body=body, headers={"Content-Type": content_type})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
