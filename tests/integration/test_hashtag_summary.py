"""HASHTAG_SUMMARY (flink_jobs/java/tweetflow/flink/HashtagSummary.java) driven as Flink's sliced
window aggregate drives it (tests/java/HashtagSummaryDriver.java: one summary per slice, the
slices merged), against counts computed here: exact when nothing is evicted, and within its
documented error bound, holding at most 1.25 x capacity counters, when they outnumber its
capacity. Needs a JVM, not the stack."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from typing import Any

import pytest

from tests.support import java_driver

pytestmark = pytest.mark.integration

Row = dict[str, Any]


@pytest.fixture(scope="module")
def summarize(tmp_path_factory: pytest.TempPathFactory) -> Any:
    driver = java_driver.compiled("HashtagSummaryDriver", tmp_path_factory.mktemp("driver"))

    def run(
        rows: list[Row], top: int, related: int, influencers: int, capacity: int,
        transient_merges: bool = False,
    ) -> Any:  # fmt: skip
        lines = "".join(json.dumps(r) + "\n" for r in rows)
        args = [top, related, influencers, capacity, str(transient_merges).lower()]
        return json.loads(driver([str(a) for a in args], lines))

    return run


def sliced(tweets: list[dict[str, Any]], slices: int, rng: random.Random) -> list[Row]:
    """Each tweet in a random slice of the window."""
    return [{"slice": rng.randrange(slices), **t} for t in tweets]


def truth(rows: list[Row]) -> tuple[Counter, dict[str, Counter], dict[str, dict[str, Any]]]:
    """What window aggregates over a row per (tweet, hashtag) compute: tweets per hashtag, per
    (hashtag, related) and each author's MAX(screen_name), MAX(followers) per hashtag."""
    tweets: Counter = Counter()
    related: dict[str, Counter] = defaultdict(Counter)
    authors: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in rows:
        for tag in (t.lower() for t in r["hashtags"] if t is not None):
            tweets[tag] += 1
            for other in (o.lower() for o in r["hashtags"] if o is not None):
                if other != tag:
                    related[tag][other] += 1
            name, followers = authors[tag].get(r["user_id"], ("", 0))
            authors[tag][r["user_id"]] = (
                max(name, r["screen_name"]),
                max(followers, r["followers"]),
            )
    return tweets, related, authors


def ranked(counts: dict[str, int], n: int) -> list[list[Any]]:
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [[rank, key, value] for rank, (key, value) in enumerate(order, start=1)]


def expected_top(rows: list[Row], top: int, n_related: int, n_influencers: int) -> list[Row]:
    tweets, related, authors = truth(rows)
    result = []
    for rank, tag, count in ranked(tweets, top):
        people = sorted(authors[tag].items(), key=lambda a: (-a[1][1], a[1][0], a[0]))
        result.append({
            "rn": rank, "hashtag": tag, "tweets": count,
            "related": ranked(related[tag], n_related),
            "influencers": [
                [i, user, name, followers]
                for i, (user, (name, followers)) in enumerate(people[:n_influencers], start=1)
            ],
        })  # fmt: skip
    return result


def odd_tweets(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Cases, repeats and characters beyond the BMP in hashtags (code point order differs from
    Java's UTF-16 order there), authors whose name and followers change, ties everywhere."""
    names = ["Flink", "flink", "FLINK", "kafka", "Kafka", "sql", "\U0001f600", "\uff5e", "ab",
             "a\U0001f600", "a\uffff", "zz", "Ωmega", "data", "ai", "news"]  # fmt: skip
    tweets = []
    for _ in range(count):
        user = rng.randrange(40)
        tweets.append({
            "hashtags": rng.sample(names, rng.randint(1, 4)) + (["Flink"] * rng.randint(0, 1)),
            "user_id": str(user),
            "screen_name": rng.choice([f"u{user}", f"U{user}", f"u{user}\U0001f600"]),
            "followers": rng.choice([user * 10, user * 10 + rng.randrange(3), 7]),
        })  # fmt: skip
    return tweets


# transient_merges: the window's summary reads its slices as parts (one-phase aggregation)
# instead of merging copies of them; either way the same rows.
@pytest.mark.parametrize("transient_merges", [False, True])
@pytest.mark.parametrize("capacity", [0, 5_000])
def test_exact_while_nothing_is_evicted(
    summarize: Any, capacity: int, transient_merges: bool
) -> None:
    rng = random.Random(7)
    rows = sliced(odd_tweets(3_000, rng), slices=12, rng=rng)
    got = summarize(rows, 10, 4, 3, capacity, transient_merges)
    assert got["floor"] == 0 and not got["miscounted"]
    assert (got["window_copied"] == 0) == transient_merges
    assert got["top"] == expected_top(rows, 10, 4, 3)


def test_a_null_hashtag_counts_for_nothing(summarize: Any) -> None:
    rows = [
        {"slice": 0, "hashtags": [None, "A"], "user_id": "1", "screen_name": "x", "followers": 5}
    ]
    got = summarize(rows, 10, 10, 10, 0)
    assert got["top"] == [
        {"rn": 1, "hashtag": "a", "tweets": 1, "related": [], "influencers": [[1, "1", "x", 5]]}
    ]


@pytest.mark.parametrize(
    ("slices", "capacity", "influencers", "transient_merges", "as_parts"),
    [(20, 2_000, 3, False, False), (8, 2_000, 3, True, True), (60, 200, 0, True, False)],
    ids=["copies", "parts", "parts-past-16x-capacity-merged-as-copies"],
)
def test_bounded_beyond_capacity_within_the_error_bound(
    summarize: Any,
    slices: int,
    capacity: int,
    influencers: int,
    transient_merges: bool,
    as_parts: bool,
) -> None:
    """Zipf-distributed hashtags over 50,000 names, 60,000 uses in 8 to 60 slices, capacity
    2,000 (or 200) counters: the summaries stay small, every reported count lies between the
    truth and the truth plus the window's floor, and the clear leaders are found in order.
    Read as parts, 8 slices of 2,000 counters stay parts; 60 slices of 200 (no authors kept,
    so a hashtag is one counter) hold more than 16 x capacity hashtags, so the window merges
    them as copies after all."""
    rng = random.Random(11)
    names = [f"tag{i}" for i in range(50_000)]
    weights = [1 / (k**1.2) for k in range(1, len(names) + 1)]
    tags = rng.choices(names, weights, k=60_000)
    tweets = [
        {"hashtags": [tag], "user_id": str(i % 997), "screen_name": f"u{i % 997}",
         "followers": i % 997}
        for i, tag in enumerate(tags)
    ]  # fmt: skip
    rows = sliced(tweets, slices=slices, rng=rng)
    got = summarize(rows, 10, 3, influencers, capacity, transient_merges)
    true_counts, _, _ = truth(rows)
    assert 0 < got["floor"] < 60_000 / capacity * slices
    assert got["held"] <= capacity + capacity // 4 and not got["miscounted"]
    assert (got["window_copied"] == 0) == as_parts
    for row in got["top"]:
        true = true_counts[row["hashtag"]]
        assert true <= row["tweets"] <= true + got["floor"], row
    leaders = [tag for _, tag, _ in ranked(true_counts, 5)]
    assert [row["hashtag"] for row in got["top"][:5]] == leaders


def test_ties_rank_in_code_point_order(summarize: Any) -> None:
    """U+FF5E before U+1F600, as Flink orders their UTF-8 bytes (UTF-16 puts the emoji's
    surrogate 0xD83D first)."""
    rows = [
        {"slice": 0, "hashtags": ["\U0001f600", "\uff5e"], "user_id": "1", "screen_name": "x",
         "followers": 5}
    ]  # fmt: skip
    [first, second] = summarize(rows, 10, 10, 10, 0)["top"]
    assert [first["hashtag"], second["hashtag"]] == ["\uff5e", "\U0001f600"]
    assert first["related"] == [[1, "\U0001f600", 1]]
