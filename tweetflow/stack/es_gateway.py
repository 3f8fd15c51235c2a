"""TLS and authentication in front of the local Elasticsearch node.

The local node is the OSS server from Maven Central, and Elastic's security module
(x-pack-security) is not published there, so the node cannot turn on TLS and users itself.
With TWEETFLOW_ES_SECURITY=tls the stack puts this gateway on the Elasticsearch port instead
(the node moves to es_node_port, loopback only): HTTPS with the stack's CA, HTTP basic
authentication or an API key, and the least-privilege roles of
docs/reliability-and-security.md enforced on each request:

  writer  (the job)          read and write tweetflow's indexes and index templates
  reader  (dashboards, watch) search and read tweetflow's indexes, nothing else

Production Elasticsearch should use its own security with the same roles
(docs/reliability-and-security.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

READ_ENDPOINTS = {"_search", "_msearch", "_count", "_mget", "_field_caps", "_mapping", "_settings"}
CLUSTER_READS = {"", "_cluster/health", "_nodes/_local", "_xpack"}
WRITE_METHODS = {"PUT", "POST", "DELETE"}
# An API key's entry among the users: this, then the key's id (its secret part is the password).
API_KEY_USER = "apikey:"


def password_hash(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000).hex()


def users_file(users: dict[str, tuple[str, str]], path: Path) -> None:
    """Write {name: (password, role)} as salted hashes, readable by the owner only."""
    entries = {}
    for name, (password, role) in users.items():
        salt = hashlib.sha256(name.encode() + path.name.encode()).digest()[:16]
        entries[name] = {"salt": salt.hex(), "hash": password_hash(password, salt), "role": role}
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(entries), encoding="utf-8")


class Policy:
    """What a role may do: decided from the method, the path and, for _bulk and _msearch, the
    index named on each action line."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def _ours(self, indexes: str) -> bool:
        names = [unquote(n) for n in indexes.split(",")]
        return all(n.startswith(self.prefix) and n != self.prefix for n in names)

    def _targets(self, body: bytes, bulk: bool) -> list[object] | None:
        """The index each action (_bulk) or search (_msearch) names; None if unreadable.
        _bulk: an action line, then a source line unless it deletes; _msearch: a header line,
        then the search."""
        lines = [line for line in body.split(b"\n") if line.strip()]
        targets: list[object] = []
        i = 0
        try:
            while i < len(lines):
                header = json.loads(lines[i])
                if bulk:
                    [(kind, meta)] = header.items()
                    targets.append(meta.get("_index", ""))
                    i += 1 if kind == "delete" else 2
                else:
                    targets.append(header.get("index", ""))
                    i += 2
        except (ValueError, AttributeError):
            return None
        return targets

    def _body_indexes_ours(self, body: bytes, bulk: bool) -> bool:
        targets = self._targets(body, bulk)
        if targets is None:
            return False
        for target in targets:
            names = target if isinstance(target, list) else [target]
            if not names or not all(isinstance(n, str) and self._ours(n) for n in names):
                return False
        return True

    def allows(self, role: str, method: str, path: str, body: bytes) -> bool:
        parts = [p for p in path.split("/") if p]
        head = parts[0] if parts else ""
        endpoint = parts[-1] if parts else ""
        if method in ("GET", "HEAD") and "/".join(parts) in CLUSTER_READS:
            return True
        if parts[:2] == ["_search", "scroll"]:  # continuing (or ending) an allowed search
            return True
        if head == "_msearch" and method in ("GET", "POST"):
            return self._body_indexes_ours(body, bulk=False)
        if head == "_bulk" and method in ("POST", "PUT"):
            return role == "writer" and self._body_indexes_ours(body, bulk=True)
        if head == "_index_template" and len(parts) == 2:
            return self._ours(parts[1]) and (role == "writer" or method in ("GET", "HEAD"))
        if head.startswith("_") or not self._ours(head):
            return False
        if method in ("GET", "HEAD") or endpoint in READ_ENDPOINTS:
            return True
        return role == "writer" and method in WRITE_METHODS


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, config: dict[str, Any]) -> None:
        self.upstream = urlsplit(config["upstream"])
        self.users = json.loads(Path(config["users_file"]).read_text(encoding="utf-8"))
        self.policy = Policy(config["prefix"])
        super().__init__((config["host"], int(config["port"])), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(config["certificate"])
        self.socket = context.wrap_socket(self.socket, server_side=True)

    def role_of(self, authorization: str) -> tuple[str, str] | None:
        """(user, role) for valid basic credentials or API key (as Elasticsearch takes them:
        base64 of name:password, of id:key), else None."""
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() not in ("basic", "apikey"):
            return None
        try:
            name, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if scheme.lower() == "apikey":
            name = API_KEY_USER + name
        entry = self.users.get(name)
        if entry is None:
            return None
        given = password_hash(password, bytes.fromhex(entry["salt"]))
        return (name, entry["role"]) if hmac.compare_digest(given, entry["hash"]) else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Gateway

    def log_message(self, format: str, *args: Any) -> None:
        return  # no request log: it would only repeat what Elasticsearch logs

    def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _denied(self, status: int, reason: str) -> None:
        headers = {"WWW-Authenticate": 'Basic realm="tweetflow"'} if status == 401 else {}
        kind = "security_exception"
        self._answer(status, {"error": {"type": kind, "reason": reason}, "status": status}, headers)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        who = self.server.role_of(self.headers.get("Authorization", ""))
        if who is None:
            self._denied(401, "missing or wrong credentials for the tweetflow Elasticsearch")
            return
        user, role = who
        path = urlsplit(self.path).path
        if not self.server.policy.allows(role, self.command, path, body):
            self._denied(403, f"{self.command} {path} is not allowed for user [{user}] ({role})")
            return
        upstream = http.client.HTTPConnection(
            self.server.upstream.hostname, self.server.upstream.port, timeout=120
        )
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        except OSError as exc:
            self._answer(502, {"error": f"Elasticsearch unreachable: {exc}", "status": 502}, {})
            return
        finally:
            upstream.close()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _handle


def main(config_path: str) -> None:
    Gateway(json.loads(Path(config_path).read_text(encoding="utf-8"))).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])  # further arguments: the stack's process markers
