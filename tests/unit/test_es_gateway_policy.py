"""The local gateway's roles, request by request (tweetflow/stack/es_gateway.py)."""

from __future__ import annotations

import json

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
