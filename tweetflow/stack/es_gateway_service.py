"""The gateway of es_gateway.py as a service of the local stack."""

from __future__ import annotations

import json
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tweetflow.core import tls
from tweetflow.core.errors import StackError
from tweetflow.core.java import Java
from tweetflow.core.settings import es_password, secret
from tweetflow.stack import process
from tweetflow.stack.es_gateway import users_file
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
        """The writer from TWEETFLOW_ES_USERNAME/_PASSWORD, the reader from
        TWEETFLOW_ES_READER_USERNAME/_PASSWORD (either may be a *_FILE)."""
        writer, reader = self.settings.es_username, secret("TWEETFLOW_ES_READER_USERNAME")
        if not writer or not es_password():
            raise StackError(
                "TWEETFLOW_ES_SECURITY=tls needs TWEETFLOW_ES_USERNAME and TWEETFLOW_ES_PASSWORD "
                "(or _PASSWORD_FILE): the user the job writes as"
            )
        users = {writer: (es_password(), "writer")}
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
