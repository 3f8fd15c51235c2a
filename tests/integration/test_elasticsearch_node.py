"""The real Elasticsearch node: create an index with a mapping, write, search, aggregate."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from tweetflow.core import versions
from tweetflow.core.settings import Settings

pytestmark = pytest.mark.integration


def test_index_create_write_and_query(settings: Settings) -> None:
    es = Elasticsearch(settings.es_url)
    assert es.info()["version"]["number"] == versions.load().elasticsearch
    es.indices.create(
        index="lifecycle_probe",
        settings={"number_of_replicas": 0},
        mappings={"properties": {"ts": {"type": "date"}, "tag": {"type": "keyword"}}},
    )
    docs = [
        ("a", "2026-01-01T00:00:00.500Z", "flink"),
        ("b", "2026-01-01T00:00:01.900Z", "flink"),
        ("c", "2026-01-01T00:00:02.100Z", "kafka"),
    ]
    for doc_id, ts, tag in docs:
        es.index(index="lifecycle_probe", id=doc_id, document={"ts": ts, "tag": tag})
    es.indices.refresh(index="lifecycle_probe")
    answer = es.search(
        index="lifecycle_probe",
        size=0,
        query={"range": {"ts": {"gte": "2026-01-01T00:00:00Z"}}},
        aggs={
            "per_2s": {"date_histogram": {"field": "ts", "fixed_interval": "2s"}},
            "tags": {"terms": {"field": "tag"}},
        },
    )
    assert answer["hits"]["total"]["value"] == 3
    assert [b["doc_count"] for b in answer["aggregations"]["per_2s"]["buckets"]] == [2, 1]
    assert {b["key"]: b["doc_count"] for b in answer["aggregations"]["tags"]["buckets"]} == {
        "flink": 2,
        "kafka": 1,
    }
    assert es.cluster.health(index="lifecycle_probe")["status"] == "green"


def test_prune_deletes_only_expired_days(settings: Settings) -> None:
    from datetime import date

    from flink_jobs import retention

    es = Elasticsearch(settings.es_url)
    for day in ("2026.11.20", "2026.11.24", "2026.11.25"):
        es.indices.create(index=f"prune_live_tweets-{day}", settings={"number_of_replicas": 0})
    # A dry run names the same index and deletes nothing.
    listed = retention.prune(es, "prune_", keep_days=2, today=date(2026, 11, 25), dry_run=True)
    assert listed == ["prune_live_tweets-2026.11.20"]
    assert len(es.indices.get(index="prune_live_tweets-*")) == 3
    deleted = retention.prune(es, "prune_", keep_days=2, today=date(2026, 11, 25))
    assert deleted == ["prune_live_tweets-2026.11.20"]
    assert sorted(es.indices.get(index="prune_live_tweets-*")) == [
        "prune_live_tweets-2026.11.24",
        "prune_live_tweets-2026.11.25",
    ]
