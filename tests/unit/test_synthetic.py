"""The synthetic generator: deterministic, schema-valid, and shaped like real traffic."""

from __future__ import annotations

import statistics
from collections import Counter
from itertools import islice

from producer import convert, entities
from producer.synthetic import SyntheticConfig, generate

N = 20_000


def sample(**changes: object) -> list[dict]:
    return list(generate(SyntheticConfig(count=N, **changes)))  # type: ignore[arg-type]


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert list(generate(SyntheticConfig(seed=3, count=500))) == list(
        generate(SyntheticConfig(seed=3, count=500))
    )
    assert list(generate(SyntheticConfig(seed=3, count=500))) != list(
        generate(SyntheticConfig(seed=4, count=500))
    )


def test_endless_mode_keeps_going() -> None:
    assert len(list(islice(generate(SyntheticConfig(count=None)), 25_000))) == 25_000


def test_records_are_canonical_and_entities_agree_with_the_text() -> None:
    tweets = sample()
    for tweet in tweets[:2000]:
        convert.validate(tweet)
        text = tweet["text"]
        assert [h["text"] for h in tweet["entities"]["hashtags"]] == [
            e.text for e in entities.hashtags(text)
        ], text
        assert [m["screen_name"] for m in tweet["entities"]["user_mentions"]] == [
            e.text for e in entities.mentions(text)
        ], text
        assert [s["text"] for s in tweet["entities"]["symbols"]] == [
            e.text for e in entities.cashtags(text)
        ], text
        assert [u["expanded_url"] for u in tweet["entities"]["urls"]] == [
            e.text for e in entities.urls(text)
        ], text
    assert len({t["id_str"] for t in tweets}) == N


def test_hashtags_are_zipf_like_and_co_occur_in_clusters() -> None:
    tweets = sample()
    counts = Counter(h["text"] for t in tweets for h in t["entities"]["hashtags"])
    ranked = [n for _, n in counts.most_common()]
    assert ranked[0] > 20 * statistics.median(ranked)
    pairs = Counter(
        (a["text"], b["text"])
        for t in tweets
        for a in t["entities"]["hashtags"]
        for b in t["entities"]["hashtags"]
        if a["text"] < b["text"] and "breaking" not in (a["text"], b["text"])
    )
    # Co-occurrence is concentrated: the top pair is far above an independent mix.
    assert pairs.most_common(1)[0][1] > 10 * statistics.median(pairs.values())
    assert sum(1 for t in tweets if not t["entities"]["hashtags"]) > N * 0.1


def test_trending_tag_bursts_and_fades() -> None:
    tweets = sample()
    tenth = N // 10
    per_tenth = [
        sum(
            1
            for t in tweets[i : i + tenth]
            for h in t["entities"]["hashtags"]
            if h["text"] == "breaking"
        )
        for i in range(0, N, tenth)
    ]
    peak = per_tenth.index(max(per_tenth))
    assert 2 <= peak <= 5
    assert per_tenth[0] == 0 and per_tenth[-1] == 0
    assert max(per_tenth) > 100


def test_followers_heavy_tailed_languages_and_kinds_mixed() -> None:
    tweets = sample()
    followers = sorted({t["user"]["id_str"]: t["user"]["followers_count"] for t in tweets}.values())
    assert followers[-1] > 100 * statistics.median(followers)
    assert len({t["lang"] for t in tweets}) >= 8
    retweets = sum(1 for t in tweets if t["retweeted_status"]) / N
    replies = sum(1 for t in tweets if t["in_reply_to_status_id_str"]) / N
    quotes = sum(1 for t in tweets if t["is_quote_status"]) / N
    assert 0.2 < retweets < 0.3 and 0.07 < replies < 0.13 and 0.03 < quotes < 0.07
    assert sum(1 for t in tweets if t["entities"]["urls"]) > N * 0.15
    assert sum(1 for t in tweets if t["entities"]["symbols"]) > N * 0.02


def test_out_of_order_and_late_shares() -> None:
    tweets = sample(out_of_order=0.05, late=0.01, per_second=100.0)
    expected = [SyntheticConfig().start_ms + int(n * 10.0) for n in range(N)]
    shifted = [e - t["timestamp_ms"] for t, e in zip(tweets, expected, strict=True)]
    late = sum(1 for s in shifted if s == 120_000) / N
    out_of_order = sum(1 for s in shifted if 0 < s <= 3_000) / N
    assert 0.007 < late < 0.013
    assert 0.04 < out_of_order < 0.06
    assert all(s >= 0 for s in shifted)


def test_runs_without_a_seed_never_repeat_an_id_and_a_seed_repeats_them_all() -> None:
    """A second `tweetflow produce` beside a running job: repeated ids would be dropped as
    duplicates and overwrite the first run's live tweets."""
    from producer.synthetic import synthetic_config

    def ids(seed: int | None) -> list[str]:
        config = synthetic_config(2000, seed, None, 50.0)
        return [t["id_str"] for t in generate(config)]

    first, second = ids(None), ids(None)
    assert len(set(first)) == len(first)
    assert not set(first) & set(second)
    assert int(second[0]) > int(first[-1])  # later runs, higher ids, as on Twitter
    assert ids(7) == ids(7)
    # Whatever the retweets and quotes point at was sent by the same run.
    tweets = list(generate(synthetic_config(2000, None, None, 50.0)))
    own = {t["id_str"] for t in tweets}
    quoted = {t["quoted_status_id_str"] for t in tweets if t.get("quoted_status_id_str")}
    assert quoted and quoted <= own
