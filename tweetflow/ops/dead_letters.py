"""What the dead-letter topic holds: how many records, why, from where, and the newest ones;
and the results Elasticsearch refused.

The producer and the job both write to the topic (`<topic>.dlq`): the producer what could not
become a tweet, the job what reached the topic anyway (positions `kafka:<partition>:<offset>`).
The job's Elasticsearch connector keeps a document a mapping refused in
`<prefix>rejected_documents`."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from producer.kafka_sink import dlq_topic
from tweetflow.ops.terminal_text import clip, safe
from tweetflow.ops.topic_reader import read_all


@dataclass
class Summary:
    topic: str
    total: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    from_job: int = 0  # the rest came from the producer
    newest: deque[dict[str, str]] = field(default_factory=lambda: deque(maxlen=5))

    def as_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "total": self.total,
            "reasons": dict(self.reasons.most_common()),
            "from_job": self.from_job,
            "from_producer": self.total - self.from_job,
            "newest": list(self.newest),
        }


def read(bootstrap: str, topic: str, newest: int = 5) -> Summary:
    """Every dead letter of the topic's dead-letter topic, from its start to its end now."""
    name = dlq_topic(topic)
    summary = Summary(name, newest=deque(maxlen=newest))
    for _, value in read_all(bootstrap, name):
        _count(summary, value)
    return summary


def _count(summary: Summary, value: bytes) -> None:
    try:
        letter = orjson.loads(value)
        reason, position = str(letter["reason"]), str(letter["position"])
        raw = str(letter.get("raw", letter.get("raw_base64", "")))
    except (orjson.JSONDecodeError, KeyError, TypeError):
        reason, position = "unreadable dead letter", "?"
        raw = value.decode("utf-8", "replace")
    summary.total += 1
    summary.reasons[reason] += 1
    summary.from_job += position.startswith("kafka:")
    summary.newest.append({"reason": reason, "position": position, "raw": raw[:200]})


def duplicates(es: Elasticsearch, prefix: str) -> int | None:
    """Tweets the job's duplicate filter dropped: per closed minute, the good records received
    (repeats included) minus the tweets counted; None before the job wrote either. Minutes
    that only one of the two results holds yet (written a moment apart) are left out."""
    received_index, rate_index = f"{prefix}received_counts", f"{prefix}tweet_rate"
    if not (es.indices.exists(index=received_index) and es.indices.exists(index=rate_index)):
        return None
    es.indices.refresh(index=f"{received_index},{rate_index}")
    received = {
        d["window_start"]: d["records"] for d in _all(es, received_index, {"match_all": {}})
    }
    counted = {
        d["window_start"]: d["tweets"]
        for d in _all(es, rate_index, {"term": {"window_seconds": 60}})
    }
    return sum(received[minute] - counted[minute] for minute in received.keys() & counted.keys())


@dataclass(frozen=True)
class Rejections:
    """Documents of one result index that Elasticsearch refused with one status."""

    index: str
    status: int
    count: int
    newest_reason: str


def rejected_documents(es: Elasticsearch, prefix: str) -> list[Rejections] | None:
    """What the job's connector dead-lettered, per index and status, most first; None before
    it dead-lettered anything (the index is created by the first)."""
    index = f"{prefix}rejected_documents"
    if not es.indices.exists(index=index):
        return None
    es.indices.refresh(index=index)
    newest = {"top_hits": {"size": 1, "sort": [{"rejected_at": "desc"}], "_source": ["reason"]}}
    by_status = {"terms": {"field": "status", "size": 20}, "aggs": {"newest": newest}}
    by_index = {"terms": {"field": "index", "size": 100}, "aggs": {"status": by_status}}
    answer = es.search(index=index, size=0, aggs={"index": by_index})
    found = [
        Rejections(
            index=bucket["key"],
            status=int(status["key"]),
            count=int(status["doc_count"]),
            newest_reason=str(status["newest"]["hits"]["hits"][0]["_source"].get("reason", "")),
        )
        for bucket in answer["aggregations"]["index"]["buckets"]
        for status in bucket["status"]["buckets"]
    ]
    return sorted(found, key=lambda r: (-r.count, r.index, r.status))


def _all(es: Elasticsearch, index: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    return [hit["_source"] for hit in scan(es, index=index, query={"query": query})]


def render(
    summary: Summary,
    late: int | None,
    width: int = 100,
    dropped: int | None = None,
    rejected: list[Rejections] | None = None,
) -> str:
    """The summary for a terminal: record text is untrusted and shown sanitized, clipped."""
    lines = [f"{summary.total:,} dead letters in {summary.topic}"]
    if summary.total:
        lines.append(
            f"  from the job {summary.from_job:,}, from the producer "
            f"{summary.total - summary.from_job:,}"
        )
        lines += [f"{n:>9,}  {safe(reason)}" for reason, n in summary.reasons.most_common()]
    if late is not None:
        lines.append(f"{late:,} late tweets (dropped by the windows, kept in late_tweets)")
    if dropped is not None:
        lines.append(
            f"{dropped:,} repeated tweets dropped (an id the job had seen within its duplicate "
            "horizon)"
        )
    if rejected:
        total = sum(r.count for r in rejected)
        lines.append(
            f"{total:,} result documents Elasticsearch refused (kept in rejected_documents):"
        )
        for r in rejected:
            head = f"{r.count:>9,}  {safe(r.index)} ({r.status})  "
            lines.append(head + clip(safe(r.newest_reason), max(width - len(head), 10)))
    if summary.newest:
        lines.append("newest:")
        for letter in reversed(summary.newest):
            head = f"  {safe(letter['position'])}  {safe(letter['reason'])}  "
            lines.append(head + clip(safe(letter["raw"]), max(width - len(head), 10)))
    return "\n".join(lines)
