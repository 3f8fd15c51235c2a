"""What trending promises (docs/queries.md, trending), checked on the reference's rule
(tests/support/reference.py), which tests/integration/test_trend_java.py shows the job's
Java rule equals double for double."""

from __future__ import annotations

import random
from typing import Any

from tests.support import reference

W = reference.Windows()
MINUTE = 60_000


def phases(authors: list[int], w: Any = W, seed: float = 0.0) -> list[str]:
    """The phase after each bucket of a key new at the first (baseline 0, or `seed`)."""
    alpha = 2.0 / (w.trend_span_buckets + 1.0)
    state = reference._Trend(mean=seed)
    out = []
    for n, x in enumerate(authors):
        reference._step(state, x, alpha, w, (n + 1) * MINUTE)
        out.append(state.phase)
    return out


def collapsed(sequence: list[str]) -> list[str]:
    return [p for n, p in enumerate(sequence) if n == 0 or sequence[n - 1] != p]


def test_a_burst_emerges_peaks_fades_and_ends_once() -> None:
    quiet = [3, 2, 4, 3, 3, 2, 3, 4, 3, 2]
    burst = [10, 40, 90, 120, 110, 80, 50, 30, 15, 8, 4, 3, 3]
    got = phases(quiet + burst + [3] * 20)
    assert collapsed(got) == ["quiet", "emerging", "peaking", "fading", "quiet"]
    assert got.index("emerging") == len(quiet)  # the burst's first bucket


def test_a_steady_heavy_key_never_trends() -> None:
    rng = random.Random(3)
    steady = [round(rng.gauss(150, 150**0.5)) for _ in range(1_000)]
    assert set(phases(steady, seed=150.0)) == {"quiet"}


def test_hysteresis_keeps_a_wavering_trend_from_flickering() -> None:
    """Once in, a score between the exit and the enter score keeps it trending."""
    got = phases([5] * 30 + [40, 22, 30, 20, 28, 21, 26] + [5] * 10)
    assert collapsed(got) == ["quiet", "emerging", "peaking", "fading", "quiet"]


def test_minimum_support_and_new_keys() -> None:
    """A new key (baseline 0) trends at once with enough distinct authors, not below."""
    assert phases([W.trend_min_authors])[0] == "emerging"
    assert phases([W.trend_min_authors - 1]) == ["quiet"]


def test_a_lasting_change_of_level_is_absorbed() -> None:
    got = phases([10] * 30 + [100] * 200)
    assert got[30] == "emerging"
    assert got[-1] == "quiet" and got.count("quiet") > 100


def test_one_account_repeating_a_tag_is_one_author() -> None:
    tweet = {"text": "buy now #freecoins", "entities": {"hashtags": [{"text": "FreeCoins"}]},
             "user": {"id_str": "1"}, "timestamp_ms": 0}  # fmt: skip
    flood = [{**tweet, "timestamp_ms": n * 100} for n in range(3_000)]  # 5 minutes
    assert reference.trending(flood, W, set()) == {}
    keys = reference.trend_keys(tweet, set())
    assert keys == {"#freecoins", "buy", "now", "buy now"}
