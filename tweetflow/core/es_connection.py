"""The one way tweetflow's Python side talks to Elasticsearch: the stack's URL, basic
authentication from TWEETFLOW_ES_USERNAME and TWEETFLOW_ES_PASSWORD(_FILE) or an API key from
TWEETFLOW_ES_API_KEY(_FILE), TLS verified with TWEETFLOW_ES_CA_FILE (or the local stack's CA).
The password and the key never leave this call."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from tweetflow.core.settings import Settings, es_api_key, es_ca_file, es_password


def connect(settings: Settings, **options: Any) -> Elasticsearch:
    if settings.es_username:
        options["http_auth"] = (settings.es_username, es_password())
    elif es_api_key():
        options["api_key"] = es_api_key()
    ca = es_ca_file(settings)
    if ca:
        options["ca_certs"] = ca
    return client(settings.es_url, **options)


def client(url: str, **options: Any) -> Elasticsearch:
    """A client for Elasticsearch 7.17, 8.x, 9.x or OpenSearch: the requests tweetflow makes are
    the same on each. The client's product check (its first request, `GET /`) refuses any
    server but Elasticsearch, OpenSearch included: it is marked done."""
    connection = Elasticsearch(url, **options)
    connection.transport._verified_elasticsearch = True
    return connection
