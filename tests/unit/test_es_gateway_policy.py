"""The local gateway's roles, request by request (tweetflow/stack/es_gateway.py)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tweetflow.stack.es_gateway import Policy

policy = Policy("tweetflow")


def ndjson(*lines: object) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "allowed"),
    [
        ("reader", "GET", "/", b"", True),
        ("reader", "GET", "/_cluster/health", b"", True),
        ("reader", "POST", "/tweetflow_top_hashtags/_search", b"{}", True),
        ("reader", "GET", "/tweetflow_live_tweets-*/_count", b"", True),
        ("reader", "POST", "/tweetflow_a,tweetflow_b/_search", b"{}", True),
        ("reader", "POST", "/tweetflow_a,secrets/_search", b"{}", False),
        ("reader", "POST", "/secrets/_search", b"{}", False),
        ("reader", "POST", "/_search", b"{}", False),  # every index
        ("reader", "POST", "/_msearch", ndjson({"index": "tweetflow_x"}, {}), True),
        ("reader", "POST", "/_msearch", ndjson({"index": "tweetflow_x"}, {}, {"index": "x"}, {}),
         False),
        ("reader", "PUT", "/tweetflow_x/_doc/1", b"{}", False),
        ("reader", "DELETE", "/tweetflow_x", b"", False),
        ("reader", "POST", "/_bulk", ndjson({"index": {"_index": "tweetflow_x"}}, {}), False),
        ("reader", "PUT", "/_index_template/tweetflow_x", b"{}", False),
        ("writer", "PUT", "/_index_template/tweetflow_x", b"{}", True),
        ("writer", "PUT", "/_index_template/other", b"{}", False),
        ("writer", "PUT", "/tweetflow_x/_doc/1", b"{}", True),
        ("writer", "POST", "/tweetflow_x/_refresh", b"", True),
        ("writer", "DELETE", "/tweetflow_live_tweets-2026.01.01", b"", True),
        ("writer", "PUT", "/other/_doc/1", b"{}", False),
        ("writer", "POST", "/_bulk",
         ndjson({"index": {"_index": "tweetflow_x", "_id": "1"}}, {"index": "not an action"},
                {"delete": {"_index": "tweetflow_y", "_id": "2"}}), True),
        ("writer", "POST", "/_bulk",
         ndjson({"index": {"_index": "tweetflow_x"}}, {}, {"update": {"_index": "other"}}, {}),
         False),
        ("writer", "POST", "/_bulk", b"not json\n", False),
        ("writer", "POST", "/tweetflow", b"{}", False),  # the bare prefix is no index of ours
        ("writer", "PUT", "/_cluster/settings", b"{}", False),
        ("writer", "POST", "/_search/scroll", b"{}", True),
    ],
)  # fmt: skip
def test_each_role_may_do_only_its_part(
    role: str, method: str, path: str, body: bytes, allowed: bool
) -> None:
    assert policy.allows(role, method, path, body) is allowed


def test_basic_credentials_and_api_keys_are_checked_against_the_users_file(
    tmp_path: Path,
) -> None:
    from tweetflow.stack.es_gateway import API_KEY_USER, Gateway, users_file

    path = tmp_path / "users.json"
    users_file({"writer": ("pw", "writer"), API_KEY_USER + "job": ("s3cret", "writer")}, path)
    gateway = SimpleNamespace(users=json.loads(path.read_text()))

    def role(scheme: str, text: str) -> tuple[str, str] | None:
        encoded = base64.b64encode(text.encode()).decode()
        return Gateway.role_of(gateway, f"{scheme} {encoded}")  # type: ignore[arg-type]

    assert role("Basic", "writer:pw") == ("writer", "writer")
    assert role("ApiKey", "job:s3cret") == (API_KEY_USER + "job", "writer")
    assert role("ApiKey", "job:wrong") is None
    assert role("Basic", "apikey:job:s3cret") is None  # a key is no password, nor the reverse
    assert role("ApiKey", "writer:pw") is None
    assert role("Bearer", "job:s3cret") is None
