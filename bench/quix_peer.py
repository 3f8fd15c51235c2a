"""The benchmark's queries written with Quix Streams, the way its documentation teaches: a
StreamingDataFrame over the topic with the tweets' event time, windows with a grace period,
group_by to re-key (through Kafka repartition topics, as Quix requires: its windows are per
message key), and a batching sink that bulk-writes to Elasticsearch.

Runs in a virtual environment of its own (bench/isolated.py: Quix Streams pins versions of
confluent-kafka and pydantic that tweetflow's environment does not have), so it imports
nothing from tweetflow. bench/peers.py starts it:

    <venv>/bin/python -I bench/quix_peer.py --bootstrap HOST:PORT --topic T --es URL \
        --prefix P --group G

and reads one JSON line from its output: how long it idled before stopping, and how many
tweets it dropped as late. With --live (bench/live_peers.py) it reads from the newest offsets
until SIGTERM.

Same semantics as tweetflow's SQL (bench/handwritten_peer.py says them): windows aligned to
the epoch, closed once event time passes their end plus the grace (5 s, or --grace-ms), top-N
ties by name ascending.
Quix closes windows by the newest event time of a partition (it has no watermark across
partitions) and never at the end of a topic: bench/peers.py appends one end-of-input tweet
per partition, far in the future, once this peer has read every real one.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import uuid
from datetime import datetime, timezone
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from quixstreams import Application
from quixstreams.dataframe.windows import Count, Max
from quixstreams.sinks import BatchingSink, SinkBatch
from quixstreams.state import State

IDLE_S = 5.0  # the run stops after this long without a new message; not counted


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds")


class ElasticsearchBulk(BatchingSink):
    """Upserts each checkpoint's documents in bulk; of several versions of one document in a
    batch (rankings are rewritten as they improve) only the newest is sent."""

    def __init__(self, es: Elasticsearch) -> None:
        super().__init__()
        self.es = es

    def write(self, batch: SinkBatch) -> None:
        newest = {(item.value["_index"], item.value["_id"]): item.value for item in batch}
        bulk(self.es, newest.values(), chunk_size=2000, refresh=False)


def event_time(value: Any, headers: Any, timestamp: int, timestamp_type: Any) -> int:
    return int(value["timestamp_ms"])


def ranker(index: str, n: int, fields: Any) -> Any:
    """A stateful step that keeps, per window, the n best (count, name) seen so far and emits
    the window's whole current ranking: each window's counts arrive once per key, so the
    ranking is exact once the window's last count has arrived, and the documents are
    upserts. (A window's entry is never dropped: Quix's State cannot list its keys; a
    long-running version would keep a list of open windows to expire.)"""

    def rank(window: dict[str, Any], state: State) -> list[dict[str, Any]]:
        slot = str(window["start"])
        best = state.get(slot, [])
        best.append([-window["count"], window["name"], window["key"]])
        best = sorted(best)[:n]
        state.set(slot, best)
        return [
            {"_index": index, "_id": f"{window.get('kind', '')}{slot}_{rank}",
             "_source": fields(window, rank, key, name, -negative)}
            for rank, (negative, name, key) in enumerate(best, 1)
        ]  # fmt: skip

    return rank


def build(
    app: Application, topic: str, es: Elasticsearch, prefix: str, grace_ms: int
) -> dict[str, int]:
    """The pipeline; returns the count of late tweets it keeps (each tweet falls into exactly
    one 2 s window, so that window's late records are the late tweets)."""
    late = {"tweets": 0}

    def count_late(*_: Any) -> bool:
        late["tweets"] += 1
        return False  # counted, not logged one line each

    source = app.topic(topic, value_deserializer="json", timestamp_extractor=event_time)
    sink = ElasticsearchBulk(es)
    tweets = app.dataframe(source).apply(
        lambda t: {
            "user": t["user"]["id_str"],
            "name": t["user"]["screen_name"],
            "tags": [h["text"].lower() for h in t["entities"]["hashtags"]],
        }
    )

    def rate_doc(w: dict[str, Any], size_ms: int) -> dict[str, Any]:
        seconds = size_ms // 1000
        return {"_index": f"{prefix}tweet_rate", "_id": f"{seconds}_{w['start']}",
                "_source": {"window_seconds": seconds, "window_start": iso(w["start"]),
                            "window_end": iso(w["end"]), "tweets": w["tweets"]}}  # fmt: skip

    def rolling_doc(w: dict[str, Any]) -> dict[str, Any]:
        return {"_index": f"{prefix}tweet_rolling", "_id": str(w["start"]),
                "_source": {"window_start": iso(w["start"]), "window_end": iso(w["end"]),
                            "tweets": w["tweets"]}}  # fmt: skip

    everything = tweets.group_by(lambda _: "all", name="all")
    for size_ms in (2_000, 60_000):
        on_late = count_late if size_ms == 2_000 else None
        (
            everything.tumbling_window(size_ms, grace_ms, name=f"rate{size_ms}", on_late=on_late)
            .agg(tweets=Count())
            .final(closing_strategy="partition")
            .apply(lambda w, s=size_ms: rate_doc(w, s))
            .sink(sink)
        )
    (
        everything.hopping_window(60_000, 5_000, grace_ms=grace_ms, name="rolling")
        .agg(tweets=Count())
        .final(closing_strategy="partition")
        .apply(rolling_doc)
        .sink(sink)
    )

    def author_fields(w: dict[str, Any], rank: int, user: str, name: str, n: int) -> Any:
        return {"window_kind": w["kind"], "window_start": iso(w["start"]),
                "window_end": iso(w["end"]), "rank": rank, "user_id": user,
                "screen_name": name, "tweets": n}  # fmt: skip

    # The topic is keyed by author: per-author counts need no re-keying.
    authors = {
        "tumble": tweets.tumbling_window(5_000, grace_ms=grace_ms, name="authors_tumble"),
        "hop": tweets.hopping_window(60_000, 5_000, grace_ms=grace_ms, name="authors_hop"),
    }
    for kind, window in authors.items():
        (
            window.agg(count=Count(), name=Max("name"))
            .final(closing_strategy="partition")
            .apply(
                lambda w, key, ts, headers, k=kind: {**w, "key": key.decode(), "kind": k},
                metadata=True,
            )
            .group_by(lambda _, k=kind: f"authors_{k}", name=f"authors_{kind}_ranked")
            .apply(ranker(f"{prefix}author_counts", 5, author_fields), stateful=True, expand=True)
            .sink(sink)
        )

    def hashtag_fields(w: dict[str, Any], rank: int, tag: str, name: str, n: int) -> Any:
        return {"window_start": iso(w["start"]), "window_end": iso(w["end"]), "rank": rank,
                "hashtag": tag, "tweets": n}  # fmt: skip

    # Quix allows one group_by per branch: the per-hashtag counts go through a topic of their
    # own, keyed for the ranking.
    counted = app.topic(
        f"{topic}-quix-hashtag-counts-{uuid.uuid4().hex[:6]}",
        key_serializer="str", value_serializer="json",
        key_deserializer="str", value_deserializer="json",
    )  # fmt: skip
    (
        tweets.apply(lambda t: [{"tag": tag} for tag in t["tags"]], expand=True)
        .group_by(lambda h: h["tag"], name="hashtag")
        .hopping_window(3_600_000, 60_000, grace_ms=grace_ms, name="hashtags")
        .agg(count=Count())
        .final(closing_strategy="partition")
        .apply(lambda w, key, ts, headers: {**w, "key": key, "name": key}, metadata=True)
        .to_topic(counted, key=lambda _: "hashtags")
    )
    (
        app.dataframe(counted)
        .apply(ranker(f"{prefix}top_hashtags", 10, hashtag_fields), stateful=True, expand=True)
        .sink(sink)
    )
    return late


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--es", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--group", required=True, help="the consumer group, watched for lag")
    parser.add_argument("--grace-ms", type=int, default=5_000, help="as tweetflow's watermark")
    parser.add_argument(
        "--live", action="store_true", help="from the newest offsets, until SIGTERM"
    )
    parser.add_argument(
        "--commit-interval", type=float, default=5.0, help="seconds; sinks write at each commit"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quix-state-") as state_dir:
        app = Application(
            broker_address=args.bootstrap,
            consumer_group=args.group,
            auto_offset_reset="latest" if args.live else "earliest",
            commit_interval=args.commit_interval,
            state_dir=state_dir,
            loglevel="WARNING",
        )
        es = Elasticsearch(args.es, timeout=120)
        late = build(app, args.topic, es, args.prefix, args.grace_ms)
        app.run(timeout=0.0 if args.live else IDLE_S, collect=False)
    print(json.dumps({"idle_s": IDLE_S, "late": late["tweets"]}))


if __name__ == "__main__":
    main()
