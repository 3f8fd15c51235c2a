from datetime import date

from flink_jobs.retention import expired


def test_whole_days_beyond_the_retention_are_expired() -> None:
    names = [
        "tweetflow_live_tweets-2026.11.25",
        "tweetflow_live_tweets-2026.11.19",
        "tweetflow_live_tweets-2026.11.18",
        "tweetflow_live_tweets-2025.01.01",
        "tweetflow_live_tweets",  # not a daily index: never touched
    ]
    assert expired(names, keep_days=7, today=date(2026, 11, 25)) == [
        "tweetflow_live_tweets-2025.01.01",
        "tweetflow_live_tweets-2026.11.18",
    ]
    assert expired(names, keep_days=1, today=date(2026, 11, 25)) == sorted(names[1:4])
