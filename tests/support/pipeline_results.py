"""One pipeline run shared by the tests that compare results: its input (good tweets and bad
records), how to run the job on it, and the job's Elasticsearch output in the shape of the
independent reference (tests/support/reference.py)."""

from __future__ import annotations

import heapq
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from flink_jobs import runtime
from flink_jobs.config import STOP_WORDS, JobConfig, domains_regex
from producer.convert import created_at_v1
from producer.kafka_sink import TweetSink
from producer.planted import PlantedEvent
from producer.synthetic import SyntheticConfig, generate
from tests.support import reference
from tweetflow.ops.topic_reader import read_all
from tweetflow.stack.stack import LocalStack


def _record(**fields: Any) -> bytes:
    """A tweet-like record with these fields (None removes one)."""
    base: dict[str, Any] = {
        "id_str": "9", "timestamp_ms": 1_767_225_600_000, "text": "x",
        "user": {"id_str": "1", "screen_name": "someone"},
    }  # fmt: skip
    return orjson.dumps({k: v for k, v in (base | fields).items() if v is not None})


# Written straight into the topic, as a buggy or hostile producer would: each must be
# dead-lettered with this reason while the job runs on and every good tweet arrives.
BAD_RECORDS = [
    (b"not json at all", "not a JSON object"),
    (b"[1, 2, 3]", "not a JSON object"),
    (b"null", "not a JSON object"),
    (b"", "not a JSON object"),
    (b"\xff\xfe\x00 invalid utf-8", "not a JSON object"),
    (b"\x1b]0;owned\x07\x1b[2J not json", "not a JSON object"),
    (b"{}", "missing id_str"),
    (_record(id_str=None), "missing id_str"),
    (b'{"id_str": null, "timestamp_ms": 1767225600000, "text": "x"}', "missing id_str"),
    (_record(timestamp_ms="soon"), "missing or non-numeric timestamp_ms"),
    (_record(timestamp_ms=True), "missing or non-numeric timestamp_ms"),
    (_record(timestamp_ms=-5), "negative timestamp_ms"),
    (_record(timestamp_ms=4_102_444_800_000), "timestamp_ms more than 300 s in the future"),
    (_record(text={"nested": "object"}), "missing text"),
    (_record(text="a " * 500_000), "text longer than 25000 characters"),  # 1 MB
    (_record(user="bob"), "missing user.id_str"),
    (_record(user={"id_str": "1"}), "missing user.screen_name"),
]  # fmt: skip

# Good tweets that look odd: they must arrive unchanged (and the views that show them treat
# them as untrusted): terminal escape sequences and controls, emoji, combining marks,
# right-to-left and dotted-capital hashtags.
HOSTILE_TEXT = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m \u202eevil\u202c \x00\x08 tab\there"
ODD_HASHTAGS = ["مرحبا", "cafe\u0301", "🔥", "İstanbul", "日本語"]
DUPLICATES = 40  # good tweets sent twice: counted once
# Distinct authors per 20 s bucket (from 00:00:00, the first partial) of three hashtags that
# show how trending keeps and forgets its keys (2 buckets of memory): #steady never leaves
# (a wrong clear of its state would make it new, and trend); #gone leaves for longer than the
# memory and comes back new (it trends at once); #paused leaves for no longer and comes back to
# its baseline (only its jump to 30 trends).
REMEMBERED = {
    "#steady": [12] * 11,
    "#gone": [0, 12, 12, 12, 0, 0, 0, 12, 12, 0, 0],
    "#paused": [0, 12, 12, 12, 0, 12, 30, 12, 0, 0, 0],
}
START_MS = 1_767_225_607_000
# Trending's whole lifecycle within the input's 200 s (buckets of 20 s): a hashtag burst and a
# phrase burst that rise, peak, fade and stop dead before the input ends, and a
# single-account flood.
PLANTED = tuple(
    PlantedEvent(kind, key, START_MS + onset_s * 1000, START_MS + peak_s * 1000,
                 START_MS + end_s * 1000, per_minute)
    for kind, key, onset_s, peak_s, end_s, per_minute in (
        ("burst", "#eclipse", 40, 90, 150, 300),
        ("burst", "power outage", 60, 80, 170, 150),
        ("spam", "#freecoins", 20, 20, 120, 120),
    )
)  # fmt: skip


def remembered(tweets_like: dict[str, Any]) -> list[dict[str, Any]]:
    """The REMEMBERED keys' tweets, each from its own author, shaped like `tweets_like`; all
    tagged #memory too (a hashtag view of them has a related hashtag)."""
    made = []
    bucket_ms = WINDOWS.trend_slide_s * 1000
    first = START_MS - START_MS % bucket_ms
    for key, counts in REMEMBERED.items():
        for bucket, authors in enumerate(counts):
            for n in range(authors):
                at = max(START_MS, first + bucket * bucket_ms + 1_499 * n % bucket_ms)
                user = {
                    **tweets_like["user"],
                    "id_str": f"{key[1:]}-{n}",
                    "screen_name": f"{key[1:]}_{n}",
                }
                made.append({
                    **tweets_like, "id_str": f"{key[1:]}-{bucket}-{n}", "timestamp_ms": at,
                    "created_at": created_at_v1(at),
                    "text": f"about {key} #memory", "lang": "en", "user": user,
                    "retweeted_status": None,
                    "entities": {**tweets_like["entities"],
                                 "hashtags": [{"text": key[1:]}, {"text": "memory"}],
                                 "user_mentions": [], "urls": [], "symbols": []},
                })  # fmt: skip
    return made


def make_odd(tweets: list[dict[str, Any]]) -> None:
    """Give every 97th tweet the hostile text and one of the odd hashtags."""
    for n, tweet in enumerate(tweets[::97]):
        tag = ODD_HASHTAGS[n % len(ODD_HASHTAGS)]
        tweet["text"] = f"{HOSTILE_TEXT} #{tag}"
        tweet["entities"] = {**tweet["entities"], "hashtags": [{"text": tag, "indices": [0, 1]}]}


# The sliding hashtag window is shortened (60 s every 20 s), and trending counts buckets of
# 20 s and forgets a key after 2 of them, to keep the test quick; the reference is told the
# same sizes.
WINDOWS = reference.Windows(
    hashtag_s=60, hashtag_slide_s=20, trend_slide_s=20, trend_memory_buckets=2
)
TRACKED_TERMS = ("flink", "kafka", "streaming")
TRACKED_DOMAINS = ("flink.apache.org", "github.com")


# The results whose windows a tweet two minutes past the input closes in a running job (the
# hashtag windows are an hour long by default and stay open).
CLOSED_BY_CLOSING = (
    "tweet_rate", "tweet_rolling", "author_counts", "word_counts", "languages", "cashtags",
    "top_mentions", "top_domains", "tracked_counts", "live_tweets", "users",
)  # fmt: skip


def expected_with_defaults(tweets: list[dict[str, Any]]) -> dict[str, Any]:
    """The reference for the job as users run it: the default windows, terms and domains."""
    defaults = JobConfig(kafka_bootstrap="", es_hosts="")
    return reference.expected(
        tweets, reference.Windows(), set(STOP_WORDS.split(",")), list(defaults.tracked_terms)
    )


def ms(iso: str) -> int:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(moment.astimezone(timezone.utc).timestamp() * 1000)


def documents(es: Elasticsearch, index: str) -> list[dict[str, Any]]:
    es.indices.refresh(index=index)
    return [{"_id": h["_id"], **h["_source"]} for h in scan(es, index=index)]


def expected(tweets: list[dict[str, Any]]) -> dict[str, Any]:
    return reference.expected(
        tweets,
        WINDOWS,
        set(STOP_WORDS.split(",")),
        list(TRACKED_TERMS),
        domains_regex(TRACKED_DOMAINS),
    )


def _trend(d: dict[str, Any]) -> tuple[Any, ...]:
    score, baseline = round(d["score"], 9), round(d["baseline"], 9)
    return (d["term"], d["kind"], d["phase"], score, d["authors"], d["tweets"], baseline,
            d["peak"], ms(d["since"]))  # fmt: skip


# How each index's documents are keyed and compared: the reference's shape for every query.
_SHAPES: dict[str, tuple[str, Callable[[dict[str, Any]], tuple[Any, Any]]]] = {
    "related_hashtags": (
        "related_hashtags",
        lambda d: (
            (ms(d["window_start"]), d["hashtag"], d["rank"]),
            (d["related"], d["tweets"]),
        ),
    ),
    "influencers": (
        "influencers",
        lambda d: (
            (ms(d["window_start"]), d["hashtag"], d["rank"]),
            (d["user_id"], d["screen_name"], d["followers"]),
        ),
    ),
    "word_counts": (
        "word_counts",
        lambda d: ((ms(d["window_start"]), d["rank"]), (d["word"], d["occurrences"])),
    ),
    "tracked_counts": (
        "tracked_counts",
        lambda d: ((ms(d["window_start"]), d["term"]), d["tweets"]),
    ),
    "tweet_rate": (
        "tweet_rate",
        lambda d: ((d["window_seconds"], ms(d["window_start"])), d["tweets"]),
    ),
    "tweet_rolling": ("tweet_rolling", lambda d: (ms(d["window_start"]), d["tweets"])),
    "top_mentions": (
        "top_mentions",
        lambda d: ((ms(d["window_start"]), d["rank"]), (d["mention"], d["mentions"])),
    ),
    "top_domains": (
        "top_domains",
        lambda d: ((ms(d["window_start"]), d["rank"]), (d["domain"], d["links"])),
    ),
    "author_counts": (
        "author_counts",
        lambda d: (
            (d["window_kind"], ms(d["window_start"]), d["rank"]),
            (d["user_id"], d["screen_name"], d["tweets"]),
        ),
    ),
    # Scores and baselines to 9 decimals: the job's JSON writer may print a double with more
    # digits than the shortest that reads back (Java 17's Double.toString).
    "trending": ("trending", lambda d: ((ms(d["window_start"]), d["rank"]), _trend(d))),
    "top_hashtags": (
        "top_hashtags",
        lambda d: ((ms(d["window_start"]), d["rank"]), (d["hashtag"], d["tweets"])),
    ),
    "languages": ("languages", lambda d: ((ms(d["window_start"]), d["lang"]), d["tweets"])),
    "cashtags": ("cashtags", lambda d: ((ms(d["window_start"]), d["cashtag"]), d["tweets"])),
    "live_tweets": (
        "live_tweets-*",
        lambda d: (
            d["id_str"],
            (
                ms(d["created_at"]),
                d["screen_name"],
                d["tweet_text"],
                d["hashtags"],
                d["lang"],
                d["is_retweet"],
            ),
        ),
    ),
    "users": (
        "users",
        lambda d: (
            d["user_id"],
            (d["screen_name"], d["followers_count"], d["verified"], ms(d["last_tweet_at"])),
        ),
    ),
}
COMPARED = tuple(_SHAPES)
SENTIMENT_SHAPES: dict[str, tuple[str, Callable[[dict[str, Any]], tuple[Any, Any]]]] = {
    "sentiment": (
        "sentiment",
        lambda d: (
            ms(d["window_start"]),
            (
                d["tweets"], d["scored"], d["avg_compound"], d["avg_positive"],
                d["avg_negative"], d["avg_neutral"], d["positive"], d["negative"],
                d["neutral"], d["mixed"],
            ),
        ),
    ),
    "hashtag_sentiment": (
        "hashtag_sentiment",
        lambda d: (
            (ms(d["window_start"]), d["rank"]),
            (
                d["hashtag"], d["tweets"], d["scored"], d["avg_compound"], d["positive"],
                d["negative"], d["neutral"], d["mixed"],
            ),
        ),
    ),
}  # fmt: skip


def actual(es: Elasticsearch, prefix: str, queries: Iterable[str] = COMPARED) -> dict[str, Any]:
    """What the job wrote, per query, keyed like the reference."""
    results = {}
    for query in queries:
        index, shape = {**_SHAPES, **SENTIMENT_SHAPES}[query]
        results[query] = dict(shape(d) for d in documents(es, f"{prefix}{index}"))
    return results


def job_config(
    stack: LocalStack, topic: str, prefix: str, tmp: Path, **overrides: Any
) -> JobConfig:
    """The test input's job configuration: shortened hashtag windows, the tracked terms."""
    values: dict[str, Any] = dict(
        kafka_topic=topic,
        kafka_group_id=f"{topic}-{uuid.uuid4().hex[:4]}",
        bounded=True,
        es_index_prefix=prefix,
        checkpoint_dir=tmp / "checkpoints",
        log_dir=tmp / "logs",
        hashtag_window_s=WINDOWS.hashtag_s,
        hashtag_slide_s=WINDOWS.hashtag_slide_s,
        trend_slide_s=WINDOWS.trend_slide_s,
        trend_memory_buckets=WINDOWS.trend_memory_buckets,
        tracked_terms=TRACKED_TERMS,
        tracked_domains=TRACKED_DOMAINS,
    )
    archive = bool(overrides.get("archive_path"))
    return replace(stack.job_config(archive=archive), **(values | overrides))


def run_job(stack: LocalStack, topic: str, prefix: str, tmp: Path) -> None:
    assert runtime.run(job_config(stack, topic, prefix, tmp))


def pipeline_run(stack: LocalStack, tmp: Path) -> dict[str, Any]:
    """Produce the input into a new topic and run the whole job on the mini-cluster."""
    settings = stack.settings
    topic, prefix = f"tweets-{uuid.uuid4().hex[:8]}", f"x{uuid.uuid4().hex[:6]}_"
    # 200 s of event time from 00:00:07, 2% out of order (within the 5 s bound), no late ones,
    # and planted events for trending.
    config = SyntheticConfig(
        seed=11, count=4000, per_second=20.0, start_ms=START_MS, events=PLANTED
    )
    # Merged by time, the generator's out-of-order tweets left as they are.
    extra = sorted(remembered(next(generate(config))), key=lambda t: t["timestamp_ms"])
    tweets = list(heapq.merge(generate(config), extra, key=lambda t: t["timestamp_ms"]))
    make_odd(tweets)
    sink = TweetSink(settings.kafka_bootstrap, topic, partitions=2)
    for n, tweet in enumerate(tweets):
        sink.send(tweet)
        if 1000 <= n < 1000 + DUPLICATES:  # again at once: on time, not late
            sink.send(tweet)
    sink.close()
    raw = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    for value, _ in BAD_RECORDS:
        raw.send(topic, value=value)
    raw.flush()
    raw.close()
    began = time.monotonic()
    run_job(stack, topic, prefix, tmp)
    es = Elasticsearch(settings.es_url)
    return {
        "topic": topic,
        "prefix": prefix,
        "tweets": tweets,
        "es": es,
        "tmp": tmp,
        "seconds": time.monotonic() - began,
        "actual": actual(es, prefix),
    }


def enriched_run(stack: LocalStack, run: dict[str, Any], tmp: Path, mode: str) -> dict[str, Any]:
    """The sentiment queries and the Parquet archive over the shared input, with the UDF in
    `mode`, into the shared run's prefix (so its dashboards have sentiment panels to show)."""
    began = time.monotonic()
    archive = tmp / "archive"
    config = job_config(
        stack,
        run["topic"],
        run["prefix"],
        tmp,
        queries=(),
        enrichment=mode,
        archive_path=str(archive),
    )
    assert runtime.run(config)
    return {
        "seconds": time.monotonic() - began,
        "actual": actual(run["es"], run["prefix"], tuple(SENTIMENT_SHAPES)),
        "archive": archive,
    }


def hashtag_compound(want: dict[str, Any], hashtag: str) -> dict[int, float]:
    """The reference's average compound score of a hashtag, per window it ranked in."""
    return {
        start: compound
        for (start, _), (tag, _, _, compound, *_) in want["hashtag_sentiment"].items()
        if tag == hashtag and compound is not None
    }


CLOSING_USER = "closing-user"


def send_closing(bootstrap: str, topic: str, last: dict[str, Any], partitions: int = 2) -> None:
    """A tweet on every partition two minutes past the input's end: a job that runs on (not
    bounded) then closes every window of the input (the longest is a minute). Its own windows
    never close. Not further: live input is dated now, and the job rejects tweets more than
    five minutes ahead of its clock."""
    closing = {
        **last,
        "id_str": "closing",
        "user": {**last["user"], "id_str": CLOSING_USER, "screen_name": "closing"},
        "timestamp_ms": last["timestamp_ms"] + 120_000,
    }
    raw = KafkaProducer(bootstrap_servers=bootstrap)
    for partition in range(partitions):
        raw.send(topic, value=orjson.dumps(closing), partition=partition)
    raw.flush()
    raw.close()


def send_live_input(bootstrap: str, topic: str, tweets: list[dict[str, Any]]) -> None:
    """The tweets into a new topic, then the closing tweets: a running job's input."""
    sink = TweetSink(bootstrap, topic, partitions=2)
    for tweet in tweets:
        sink.send(tweet)
    sink.close()
    send_closing(bootstrap, topic, tweets[-1])


def settle(
    es: Elasticsearch, prefix: str, want: dict[str, Any], timeout_s: float
) -> dict[str, Any]:
    """What a running job wrote once it equals `want`, or at the deadline: (the closing
    tweets' profile aside)."""
    got: dict[str, Any] = {}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            got = actual(es, prefix, tuple(want))
        except NotFoundError:  # no result of some query yet
            time.sleep(2)
            continue
        got.get("users", {}).pop(CLOSING_USER, None)
        got.get("live_tweets", {}).pop("closing", None)
        if got == want:
            break
        time.sleep(2)
    return got


# Every kind of state and result: tumbling and sliding windows, window top-N, upserted
# profiles, one document per tweet; the runs that restart compare these.
RESTART_QUERIES = (
    "tweet_rate", "tweet_rolling", "author_counts", "top_hashtags", "users", "live_tweets",
)  # fmt: skip


def count(es: Elasticsearch, index: str) -> int:
    """Documents searchable in the index now; 0 before it exists."""
    if not es.indices.exists(index=index):
        return 0
    es.indices.refresh(index=index)
    return int(es.count(index=index)["count"])


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Every query's results exactly equal, or which keys are missing, extra or different."""
    for query in want:
        have = got.get(query, {})
        missing = set(want[query]) - set(have)
        extra = set(have) - set(want[query])
        wrong = [k for k in set(want[query]) & set(have) if want[query][k] != have[k]]
        assert not missing and not extra and not wrong, (
            f"{query}: {len(missing)} missing e.g. {list(missing)[:3]}, {len(extra)} extra "
            f"e.g. {list(extra)[:3]}, {len(wrong)} differ e.g. {wrong[:3]}"
        )


def topic_records(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every record the topic holds now, decoded."""
    return [orjson.loads(value) for _, value in read_all(bootstrap, topic)]


def record_count(bootstrap: str, topic: str) -> int:
    """How many records the topic holds: its end offsets (no compaction, no transactions),
    without reading hundreds of thousands of records back."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(partitions).values()) if partitions else 0
    finally:
        consumer.close()


def half_sent(stack: LocalStack, topic: str, seed: int) -> tuple[list[dict[str, Any]], TweetSink]:
    """3,000 tweets (150 s of event time from 2026-01-01), the first half already in the topic:
    the input of the restart tests, which send the rest after their fault."""
    tweets = list(
        generate(
            SyntheticConfig(seed=seed, count=3000, per_second=20.0, start_ms=1_767_225_600_000)
        )
    )
    sink = TweetSink(stack.settings.kafka_bootstrap, topic, partitions=2)
    for tweet in tweets[:1500]:
        sink.send(tweet)
    sink.flush()
    return tweets, sink
