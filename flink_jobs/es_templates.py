"""Index templates with explicit mappings, installed before the job writes a document.

Without them Elasticsearch guesses: window bounds would be dates only by luck and hashtags
would be analysed text. The mappings live in deploy/elasticsearch/index_templates.json
(flink_jobs/index_templates.json links to it; the wheel holds a copy).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from tweetflow.core import es_connection

if TYPE_CHECKING:
    from flink_jobs.config import JobConfig

TEMPLATES_FILE = resources.files("flink_jobs") / "index_templates.json"


def templates(
    prefix: str, replicas: int = 0, refresh_interval: str = "1s"
) -> dict[str, dict[str, Any]]:
    """Composable index templates by name, for indexes named <prefix><index>. The refresh
    interval bounds how long a written result stays unsearchable: shorter is fresher, and costs
    Elasticsearch more small segments to merge."""
    indexes = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))["indexes"]
    normalizer = {
        "analysis": {"normalizer": {"lowercase": {"type": "custom", "filter": ["lowercase"]}}}
    }
    return {
        f"{prefix}{name}": {
            "index_patterns": [f"{prefix}{name}", f"{prefix}{name}-*"],
            "priority": 100,
            "template": {
                "settings": {
                    "number_of_shards": 1,
                    "number_of_replicas": replicas,
                    "refresh_interval": refresh_interval,
                    **normalizer,
                },
                "mappings": mapping,
            },
        }
        for name, mapping in indexes.items()
    }


def install(
    es_url: str,
    prefix: str,
    replicas: int = 0,
    http_auth: tuple[str, str] | None = None,
    ca_file: str = "",
    refresh_interval: str = "1s",
    api_key: str = "",
) -> list[str]:
    options: dict[str, object] = {"ca_certs": ca_file} if ca_file else {}
    if api_key:
        options["api_key"] = api_key
    connection = es_connection.client(es_url, http_auth=http_auth, **options)
    bodies = templates(prefix, replicas, refresh_interval)
    for name, body in bodies.items():
        connection.indices.put_index_template(name=name, body=body)
    return sorted(bodies)


def install_for(config: JobConfig) -> list[str]:
    """The templates for the indexes one job configuration writes, with its credentials."""
    auth = (config.es_username, config.es_password) if config.es_username else None
    url = config.es_hosts.split(";")[0]
    return install(
        url, config.es_index_prefix, config.es_replicas, auth, config.es_ca_file,
        config.es_refresh_interval, config.es_api_key,
    )  # fmt: skip
