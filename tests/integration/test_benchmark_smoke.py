"""The benchmarks' smoke mode runs in CI: every contender produces a figure (no timing asserted)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import (
    bluesky_bench,
    cluster_scaling,
    common,
    cost_growth,
    enrichment_cost,
    freshness,
    job_scale,
    live_peers,
    parse_speed,
    peers,
    producer_bench,
    profile,
    query_cost,
    revisions,
    sustained,
    trending,
    tuning,
)
from tweetflow.core.settings import Settings
from tweetflow.stack.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.bench_smoke]


@pytest.fixture(autouse=True, scope="module")
def one_stack(stack: LocalStack) -> Iterator[None]:
    """Every benchmark on the tests' stack: a stack of its own each cost 20 s to start and
    stop, more than most of them measure in smoke mode."""
    with common.sharing(stack):
        yield


def test_producer_benchmark_smoke(settings: Settings) -> None:
    results = producer_bench.main(["--smoke", "--bootstrap", settings.kafka_bootstrap])
    assert results["count"] == 3_000
    assert set(results["contenders"]) == {
        "kafka-producer-perf-test",
        "tweetflow (kafka-python)",
        "tweetflow (confluent-kafka)",
    }
    for figures in results["contenders"].values():
        assert figures["tweets_per_s"] > 0 and figures["mb_per_s"] > 0
    assert 300 < results["source"]["mean_record_bytes"] < 2000


def test_parse_speed_smoke() -> None:
    results = parse_speed.main(["--smoke"])
    # the functions read real tweets, and the baseline and the bytes the same fields
    assert results["with_id"] == results["same_as_tree"] == results["count"] == 2_000
    assert results["same_from_bytes"] == 2_000
    assert len(results["rounds"]) == 2
    assert set(results["tweets_per_s"]) == set(parse_speed.WAYS)
    assert all(rate > 0 for rate in results["tweets_per_s"].values())


def test_revisions_smoke() -> None:
    results = revisions.main(["--smoke"])
    # HEAD's tree, exported from git, against this checkout: both read every tweet
    assert len(results["base"]) == 40 and results["count"] == 5_000
    assert all(rate > 0 for side in results["tweets_per_s"].values() for rate in side)
    assert results["ratio"] > 0


def test_query_cost_smoke() -> None:
    results = query_cost.main(["--smoke"])
    assert results["whole_s"] > 0
    assert len(results["without_s"]) == 2 and all(t > 0 for t in results["without_s"].values())


def test_freshness_smoke() -> None:
    results = freshness.main(["--smoke"])
    assert results["windows"] > 3
    assert 0 < results["end_to_visible_p50_s"] <= results["end_to_visible_p99_s"]


def test_cluster_scaling_smoke() -> None:
    results = cluster_scaling.main(["--smoke"])
    assert set(results["seconds"]) == {"mini-cluster, parallelism 1", "cluster, parallelism 2"}
    assert all(rate > 0 for rate in results["tweets_per_s"].values())


def test_bluesky_benchmark_smoke(settings: Settings) -> None:
    results = bluesky_bench.main(["--smoke", "--bootstrap", settings.kafka_bootstrap])
    assert results["frames"] == 3_000 and 2_000 < results["posts"] < 3_000
    for name in ("mapping alone", "end to end (kafka-python)", "end to end (confluent-kafka)"):
        assert results[name]["posts_per_s"] > 0
        assert results[name]["frames_per_s"] > results[name]["posts_per_s"]


def test_enrichment_cost_smoke() -> None:
    results = enrichment_cost.main(["--smoke"])
    assert set(results["whole_s"]) == {"off", "scalar", "vectorized"}
    assert all(t > 0 for t in results["whole_s"].values())
    assert set(results["udf_stage_s"]) == {"no UDF (languages)", "scalar", "vectorized"}
    assert set(results["udf_us_per_tweet"]) == {"scalar", "vectorized"}


def test_peers_smoke() -> None:
    """Every contender reads the topic; every peer's results equal tweetflow's (Quix Streams
    and Spark installed into environments of their own)."""
    results = peers.main(["--smoke"])
    computing = {
        "hand-written (kafka-python)",
        "hand-written (confluent-kafka)",
        "Quix Streams",
        "Spark Structured Streaming",
    }
    assert set(results["tweets_per_s"]) == computing | {
        "kafka-consumer-perf-test",
        "JSON decoding alone (orjson)",
        "tweetflow (Flink SQL)",
    }
    assert all(rate > 0 for rate in results["tweets_per_s"].values())
    assert results["results_equal"] == dict.fromkeys(computing, True)
    assert results["late_tweets"]["Quix Streams"] == 0
    # What users run, on the same topic: every core query writes, live_tweets a document a tweet
    whole = results["whole_job"]
    assert set(whole) == set(peers.WHOLE_JOB)
    with_live = whole["whole default job"]["documents_per_tweet"]
    without_live = whole["whole job without live_tweets"]["documents_per_tweet"]
    assert with_live - without_live == pytest.approx(1.0, abs=0.01)
    assert all(run["tweets_per_s"] > 0 for run in whole.values())


def test_profile_smoke() -> None:
    """The job is recorded and its samples are attributed: the source's tweet parsing shows."""
    results = profile.main(["--smoke"])
    assert results["samples"] > 0
    assert abs(sum(results["activities"].values()) - 1) < 1e-9
    assert "tweet parsing (TWEET_FIELDS, TWEET_TIMESTAMP)" in results["activities"]
    assert not any(name.startswith("JSON functions") for name in results["activities"])


def test_sustained_smoke() -> None:
    """At 1,000 tweets/s the live job keeps up, and both kinds of freshness are measured."""
    results = sustained.main(["--smoke"])
    [row] = results["rates"]
    assert row["achieved"] > 0
    assert row["windows"] > 0 and row["tweets_sampled"] > 0
    assert row["window_end_to_visible_p50_s"] is not None
    assert row["produced_to_visible_p50_s"] is not None


def test_live_peers_smoke() -> None:
    """Every contender runs live and its 2-second windows become visible; the lag of each
    contender that commits its offsets is measured."""
    results = live_peers.main(["--smoke"])
    assert set(results["contenders"]) == set(live_peers.CONTENDERS)
    for name, rows in results["contenders"].items():
        [row] = rows
        assert row["windows"] > 0, name
        assert row["window_end_to_visible_p50_s"] is not None, name
        assert (row["lag_max"] is None) == (name == "Spark Structured Streaming"), name


def test_cost_growth_smoke() -> None:
    """Every configuration finishes and is measured: time, resident memory, live heap."""
    results = cost_growth.main(["--smoke"])
    assert set(results["cardinality"]) == {100}
    runs = [
        *results["cardinality"].values(),
        *results["window_hours"].values(),
        results["parallelism_2"],
        results["rocksdb"],
        results["window_rocksdb"],
    ]
    for run in runs:
        assert run["finished"] and run["tweets_per_s"] > 0
        assert 100 < run["peak_rss_mib"] < 8192 and 0 < run["peak_live_heap_mib"] < 3072


def test_tuning_smoke() -> None:
    """The defaults (twice) and a setting each run in a JVM of their own, and are compared."""
    results = tuning.main(["--smoke"])
    [name] = results["runs"]
    for run in (*results["defaults"], results["runs"][name]):
        assert run["tweets_per_s"] > 0
        assert 100 < run["peak_rss_mib"] < 8192 and 0 < run["peak_live_heap_mib"] < 3072
    assert results["ratio"][name] > 0
    assert results["settings"][name] == tuning.SETTINGS[name]


def test_job_scale_smoke() -> None:
    """The default job over the Zipf stream: it finishes, and its documents are counted per
    index and per window."""
    results = job_scale.main(["--smoke"])
    [run] = results["runs"]["zipf"].values()
    assert run["finished"] and run["tweets_per_s"] > 0
    assert {"top_hashtags", "related_hashtags", "influencers"} <= set(run["indexes"])
    assert any(name.startswith("live_tweets-") for name in run["indexes"])  # daily indexes
    top = run["indexes"]["top_hashtags"]
    assert 0 < top["documents"] <= 10 * top["windows"]
    assert run["documents_per_tweet"] > 0


def test_trending_smoke() -> None:
    """Trending and plain top-N over the labelled stream: each ranking measured; trending finds
    the planted bursts, and ranks no evergreen tag and no single-account flood."""
    results = trending.main(["--smoke"])
    measured = results["rankings"]
    assert set(measured) == {"trending", "trending_hashtags", "top_hour", "top_5min"}
    assert all(m["bursts"] > 0 and m["rows"] > 0 for m in measured.values())
    assert measured["trending"]["found"] > 0 and measured["trending"]["lead_median_s"] > 0
    assert measured["trending"]["evergreen_rows"] == measured["trending"]["spam_rows"] == 0
    assert measured["top_hour"]["evergreen_rows"] > 0  # what plain top-N shows every hour
    assert all(run["finished"] for run in results["runs"].values())
