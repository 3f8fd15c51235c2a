"""bench/RESULTS.md's sections render every figure a benchmark leaves, including the ones it
could not measure (a peer stopped at its time limit, a reader whose lag is unknown)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import report


def _rate_row(offered: float, lag_max: int | None, p99: float) -> dict[str, Any]:
    return {
        "offered": offered, "achieved": offered * 0.99,
        "processed": None if lag_max is None else offered * 0.98, "lag_max": lag_max,
        "lag_bounded": True, "windows": 30, "window_end_to_visible_p50_s": 1.5,
        "window_end_to_visible_p99_s": p99, "window_end_to_visible_max_s": p99 + 0.5,
        "produced_to_visible_p50_s": None, "produced_to_visible_p99_s": None,
        "window_latencies": [(2.0, 1.5), (4.0, p99)],
    }  # fmt: skip


def test_a_peer_stopped_at_the_limit_is_shown_with_what_it_read() -> None:
    section = report.peers_section({
        "count": 5_000_000,
        "tweets_per_s": {"tweetflow (Flink SQL)": 30_000.0, "Spark Structured Streaming": 15_000.0},
        "results_equal": {"Spark Structured Streaming": True},
        "unfinished": {
            "Quix Streams": {"limit_s": 420.0, "read": 530_000},
            "Other": {"limit_s": 420.0, "read": None},
        },
    })  # fmt: skip
    assert "## Catch-up: 5,000,000 tweets already in Kafka" in section
    assert "| Spark Structured Streaming | 15,000 | 2.000 | equal |" in section
    assert "| Quix Streams | not finished in 7 min (530,000 tweets read) | | |" in section
    assert "| Other | not finished in 7 min | | |" in section
    assert "plots/peers_5000000.png" in section
    assert "What users run" not in section  # a run from before the whole job's rows


def test_a_catch_up_with_the_whole_jobs_rows_shows_them_apart_from_the_peers() -> None:
    section = report.peers_section({
        "count": 1_000_000, "tweets_per_s": {"tweetflow (Flink SQL)": 30_000.0},
        "results_equal": {},
        "whole_job": {"whole default job": {"tweets_per_s": 6_000.0, "documents_per_tweet": 1.07}},
    })  # fmt: skip
    assert "| tweetflow, whole default job | 6,000 | x0.200 | 1.07 |" in section


def test_live_peers_rows_show_an_unknown_lag_as_a_dash() -> None:
    section = report.live_peers_section({
        "seconds": 60, "warmup_s": 30, "watermark_s": 1, "flush_interval_s": 0.2,
        "refresh_interval": "200ms",
        "contenders": {
            "tweetflow (Flink SQL)": [_rate_row(5_700, 12_000, 1.8)],
            "Spark Structured Streaming": [_rate_row(5_700, None, 9.1)],
        },
    })  # fmt: skip
    assert "| tweetflow (Flink SQL) | 5,700 | 5,586 | 12,000 | yes | 30 | 1.50 | 1.80 | 2.30 |" in (
        section
    )
    assert "| Spark Structured Streaming | 5,700 | - | - | yes | 30 | 1.50 | 9.10 | 9.60 |" in (
        section
    )
    assert "refreshed every 200ms" in section


def test_sustained_names_its_warm_up_and_intervals() -> None:
    section = report.sustained_section({
        "seconds": 300, "warmup_s": 30, "watermark_s": 1, "flush_interval": "200ms",
        "refresh_interval": "200ms", "rates": [_rate_row(5_700, 17_867, 2.21)],
        "highest_held": 5_700.0,
    })  # fmt: skip
    text = " ".join(section.split())
    assert "after 30 s at the first rate" in text
    assert "flushes every 200ms" in text and "every 200ms." in text
    assert "| 5,700 | 5,643 | 5,586 | 17,867 | yes | 1.50 | 2.21 | - | - |" in section
    # recorded before the checkpoint interval and the horizon were: 2 s and 10 minutes
    assert (
        "`python -m bench.sustained --seconds 300 --rates 5700 --checkpoint-interval '2 s' "
        "--dedup-horizon '10 min'`" in section
    )
    assert "heap 1g, duplicate filter horizon 10 min" in text
    assert "plots/sustained.png" in section


def test_long_sustained_runs_share_a_table_with_the_command_of_each() -> None:
    section = report.sustained_long_section({
        "sustained_long_2g": {
            "seconds": 660, "warmup_s": 30, "watermark_s": 1, "heap": "2g",
            "checkpoint_interval": "3 s", "dedup_horizon": "5 min",
            "flink_options": ["pipeline.auto-watermark-interval=50 ms"],
            "rates": [_rate_row(5_700, 60_000, 1.9)], "highest_held": 5_700.0,
        },
        "sustained_long_20k": {
            "seconds": 360, "warmup_s": 30, "watermark_s": 1, "heap": "4g",
            "checkpoint_interval": "10 s", "dedup_horizon": "5 min", "flink_options": [],
            "queries": ["tweet_rate", "top_hashtags"], "refresh_interval": "1s",
            "flush_interval": "200ms", "rates": [_rate_row(20_000, 90_000, 2.5)],
            "highest_held": 20_000.0,
        },
        "sustained_long_old": {
            "seconds": 660, "warmup_s": 30, "watermark_s": 1,
            "rates": [_rate_row(5_700, None, 30.0)], "highest_held": None,
        },
    })  # fmt: skip
    assert (
        "    python -m bench.sustained --seconds 660 --rates 5700 --heap 2g "
        "--checkpoint-interval '3 s' --name sustained_long_2g "
        "'--set=pipeline.auto-watermark-interval=50 ms'\n" in section
    )
    assert (
        "| sustained_long_2g | 660 | 5,700 | 2g | 5 min | pipeline.auto-watermark-interval=50 ms "
        "| 5,586 | 60,000 | yes | 1.50 | 1.90 | 2.40 | - | - |" in section
    )
    assert (
        "    python -m bench.sustained --seconds 360 --rates 20000 --heap 4g "
        "--queries tweet_rate,top_hashtags --refresh-interval 1s --name sustained_long_20k\n"
        in section
    )
    assert "| 4g | 5 min | queries tweet_rate, top_hashtags, refresh every 1s |" in section
    # recorded before the heap, the interval and the horizon were: 1g, 2 s and 10 minutes
    assert "| sustained_long_old | 660 | 5,700 | 1g | 10 min | - | - | - | yes |" in section
    assert "--checkpoint-interval '2 s' --dedup-horizon '10 min' --name sustained_long_old" in (
        section
    )


def test_tuning_rows_compare_each_setting_with_the_defaults_mean() -> None:
    def run(rate: float | None) -> dict[str, Any]:
        return {"tweets_per_s": rate, "peak_rss_mib": 2048.0, "peak_live_heap_mib": 700.0}

    section = report.tuning_section({
        "count": 2_000_000, "heap": "4g", "limit_s": 300.0,
        "defaults": [run(30_000.0), run(34_000.0)], "noise": 4_000 / 32_000,
        "runs": {"gc-parallel": run(36_000.0), "rocksdb": run(None)},
        "ratio": {"gc-parallel": 36_000 / 32_000, "rocksdb": None},
        "settings": {
            "gc-parallel": {"jvm_args": "-XX:+UseParallelGC"},
            "rocksdb": {"state_backend": "rocksdb",
                        "flink_options": (("state.backend.incremental", "true"),)},
        },
    })  # fmt: skip
    assert "| defaults (first) | 30,000 | 0.938 | 2,048 | 700 |" in section
    assert "| gc-parallel | 36,000 | 1.125 | 2,048 | 700 |" in section
    assert "| rocksdb | not in 5 min | | 2,048 | 700 |" in section
    assert "(12.5%) is the run's" in section.replace("\n", " ")
    assert "- rocksdb: `state.backend.incremental=true`, state backend `rocksdb`" in section


def test_parse_rows_compare_each_way_with_the_tree() -> None:
    rates = {"tweet_fields": 400_000.0, "tree_fields": 320_000.0, "tweet_timestamp": 2_000_000.0,
             "jackson_tree": 320_000.0, "jackson_tokens": 800_000.0}  # fmt: skip
    section = report.parse_section({"count": 50_000, "rounds": [rates] * 7, "tweets_per_s": rates})
    assert "`python -m bench.parse_speed --count 50000`" in section
    assert "7 rounds" in section
    assert "| TWEET_FIELDS (every field the job reads) | 400,000 | 1.25 |" in section
    assert "| Jackson's tree of the tweet (readTree) | 320,000 | 1.00 |" in section
    assert "| Jackson's tokens, walked and dropped | 800,000 | 2.50 |" in section


def _report_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The committed report copied into tmp_path, with an empty results directory beside it."""
    results, path = tmp_path / "results", tmp_path / "RESULTS.md"
    results.mkdir()
    path.write_text(report.REPORT.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(report, "RESULTS", results)
    monkeypatch.setattr(report, "REPORT", path)
    return results, path


def test_a_checkout_without_raw_results_rewrites_the_report_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = _report_in(tmp_path, monkeypatch)
    before = path.read_text(encoding="utf-8")
    report.write()
    report.write()
    assert path.read_text(encoding="utf-8") == before
    assert len(report.kept_sections(before)) >= 10


def test_one_benchmark_replaces_its_own_section_and_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, path = _report_in(tmp_path, monkeypatch)
    before = report.kept_sections(path.read_text(encoding="utf-8"))
    rates = {"tweet_fields": 400_000.0, "tree_fields": 320_000.0, "tweet_timestamp": 2_000_000.0,
             "jackson_tree": 320_000.0, "jackson_tokens": 800_000.0}  # fmt: skip
    found = {"count": 50_000, "rounds": [rates] * 7, "tweets_per_s": rates}
    (results / "parse_speed.json").write_text(
        json.dumps({"machine": {}, "measured_on": "2026-11-29", **found}), encoding="utf-8"
    )
    peers = {"count": 2_000_000, "tweets_per_s": {"tweetflow (Flink SQL)": 60_000.0},
             "results_equal": {}}  # fmt: skip
    (results / "peers_2000000.json").write_text(json.dumps(peers), encoding="utf-8")
    report.write()
    after = report.kept_sections(path.read_text(encoding="utf-8"))
    assert list(after) == [*list(before)[:1], "peers_2000000", *list(before)[1:]]
    assert "| TWEET_FIELDS (every field the job reads) | 400,000 | 1.25 |" in after["parse_speed"]
    assert after["parse_speed"].rstrip().endswith("Measured on 2026-11-29.")
    assert "## Catch-up: 2,000,000 tweets already in Kafka" in after["peers_2000000"]
    assert "Measured on" not in after["peers_2000000"]
    unchanged = set(before) - {"parse_speed"}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}


def test_a_section_names_the_flink_and_elasticsearch_it_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results, path = _report_in(tmp_path, monkeypatch)
    rates = {"tweet_fields": 400_000.0, "tree_fields": 320_000.0, "tweet_timestamp": 2_000_000.0,
             "jackson_tree": 320_000.0, "jackson_tokens": 800_000.0}  # fmt: skip
    machine = {"flink": "2.2.1", "elasticsearch": "Elasticsearch 8.19.21"}
    found = {"count": 50_000, "rounds": [rates] * 7, "tweets_per_s": rates}
    (results / "parse_speed.json").write_text(
        json.dumps({"machine": machine, "measured_on": "2026-12-07", **found}), encoding="utf-8"
    )
    report.write()
    section = report.kept_sections(path.read_text(encoding="utf-8"))["parse_speed"]
    assert section.rstrip().endswith(
        "Measured on 2026-12-07 with Flink 2.2.1, Elasticsearch 8.19.21."
    )


def test_the_whole_jobs_catch_up_rows_are_against_the_four_queries_of_the_same_run() -> None:
    def run(rate: float, per_tweet: float) -> dict[str, float]:
        return {
            "tweets_per_s": rate,
            "documents": per_tweet * 300_000,
            "documents_per_tweet": per_tweet,
        }

    section = report.peers_job_section({
        "peers_job_zipf_50": {
            "count": 300_000, "stream": "zipf", "per_second": 50.0,
            "tweets_per_s": {"tweetflow (Flink SQL)": 20_000.0},
            "whole_job": {
                "whole default job": run(2_500.0, 1.19),
                "whole job without live_tweets": run(5_000.0, 0.19),
            },
        },
    })  # fmt: skip
    assert "| zipf | 50 | 300,000 | 20,000 | 2,500 | x0.125 | 1.19 | 5,000 | x0.250 | 0.19 |" in (
        section
    )
    assert "python -m bench.peers --only-tweetflow --stream zipf --per-second 50" in section


def test_the_whole_jobs_sustained_rows_name_their_queries_and_stream() -> None:
    found = {
        "seconds": 60, "warmup_s": 30, "watermark_s": 1, "heap": "1g",
        "checkpoint_interval": "10 s", "dedup_horizon": "5 min", "flink_options": [],
        "queries": ["tweet_rate"], "query_set": "job_without_live", "stream": "zipf",
        "rates": [_rate_row(5_700, 12_000, 1.8)],
    }  # fmt: skip
    section = report.sustained_job_section({"sustained_job_zipf": found})
    assert "| sustained_job_zipf | whole job without live_tweets | zipf | 5,700 |" in section
    assert "--queries job_without_live --stream zipf --name sustained_job_zipf" in section


def test_a_profile_of_the_whole_job_says_so_and_shows_its_threads() -> None:
    from flink_jobs.catalog import CORE_QUERIES

    found = {
        "count": 300_000, "seconds": 60.0, "samples": 2_000, "per_second": 50.0,
        "queries": list(CORE_QUERIES),
        "activities": {"window firing (merging slices)": 0.4, "duplicate filter": 0.05},
        "threads": {"WindowAggregate -> Calc": 0.3, "Source: raw_tweets -> Calc -> Calc": 0.2},
    }  # fmt: skip
    section = report.profile_section(found)
    assert "## Where the whole default job's time goes" in section
    assert "python -m bench.profile --count 300000 --queries job --per-second 50" in section
    assert "| WindowAggregate -> Calc | 30.0% |" in section
    assert "bench/results/profile_job.collapsed" in section
    peers = report.profile_section({**found, "queries": ["tweet_rate"]})
    assert "## Where tweetflow's time goes" in peers and "ROW_NUMBER" in peers
