"""The gateway of es_gateway.py as a service of the local stack."""

from __future__ import annotations

import base64
import json
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tweetflow.core import tls
from tweetflow.core.errors import StackError
from tweetflow.core.java import Java
from tweetflow.core.settings import es_api_key, es_password, secret
from tweetflow.stack import process
from tweetflow.stack.es_gateway import API_KEY_USER, users_file
from tweetflow.stack.service import Service

INDEX_PREFIX = "tweetflow"  # every index and template of tweetflow starts so, whatever prefix


class ElasticsearchGateway(Service):
    name = "es-gateway"
    stop_grace_s = 5.0
    artifact = None  # Python, nothing to download

    @property
    def endpoint(self) -> str:
        return self.settings.es_url

    def ports(self) -> dict[str, int]:
        return {"TWEETFLOW_ES_PORT": self.settings.es_port}

    def users(self) -> dict[str, tuple[str, str]]:
        """The writer from TWEETFLOW_ES_USERNAME/_PASSWORD and, or instead, the API key of
        TWEETFLOW_ES_API_KEY; the reader from TWEETFLOW_ES_READER_USERNAME/_PASSWORD (each may
        be a *_FILE)."""
        writer, reader = self.settings.es_username, secret("TWEETFLOW_ES_READER_USERNAME")
        users = {writer: (es_password(), "writer")} if writer and es_password() else {}
        if es_api_key():
            try:
                decoded = base64.b64decode(es_api_key(), validate=True).decode()
                key_id, _, key = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                key_id = key = ""
            if not key_id or not key:
                raise StackError(
                    "TWEETFLOW_ES_API_KEY is not an encoded API key (base64 of id:key, the "
                    "'encoded' field Elasticsearch answers when it creates one)"
                )
            users[API_KEY_USER + key_id] = (key, "writer")
        if not users:
            raise StackError(
                "TWEETFLOW_ES_SECURITY=tls needs the job's credentials: TWEETFLOW_ES_USERNAME and "
                "TWEETFLOW_ES_PASSWORD (or _PASSWORD_FILE), or TWEETFLOW_ES_API_KEY"
            )
        if reader:
            users[reader] = (secret("TWEETFLOW_ES_READER_PASSWORD"), "reader")
        return users

    def prepare(self, java: Java, jars: Path) -> list[str]:
        s = self.settings
        self.home.mkdir(parents=True, exist_ok=True)
        _, certificate = tls.ensure(s.state_dir / "tls", s.host)
        users_file(self.users(), self.home / "users.json")
        config = self.home / "gateway.json"
        config.write_text(
            json.dumps(
                {
                    "host": s.host,
                    "port": s.es_port,
                    "upstream": s.es_node_url,
                    "certificate": str(certificate),
                    "users_file": str(self.home / "users.json"),
                    "prefix": INDEX_PREFIX,
                }
            ),
            encoding="utf-8",
        )
        marks = process.marker_args(self.name, s.state_dir)
        return [sys.executable, "-m", "tweetflow.stack.es_gateway", str(config), *marks]

    def healthy(self) -> bool:
        """The gateway answers over TLS (401 without credentials: it is up)."""
        context = ssl.create_default_context(cafile=str(self.settings.state_dir / "tls" / "ca.pem"))
        try:
            urllib.request.urlopen(self.endpoint, timeout=3, context=context).close()
        except urllib.error.HTTPError as exc:
            return exc.code == 401
        except (urllib.error.URLError, OSError):
            return False
        return True
