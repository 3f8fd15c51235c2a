"""The input streams benchmarks run the job over, each at a chosen event-time density:

- "default": `tweetflow produce`'s generator (its own hashtags: a few hundred names);
- "zipf": the same tweets, each one's hashtags redrawn from a Zipf law (s = 1) over 1,000,000
  names, as many per tweet as the generator gave: a firehose's long tail of hashtags.

The density is tweets per second of event time: Twitter's 2013 average of 5,700, or a sparse
50 (the generator's default, a quiet stream), where each tweet lands in many more windows.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Iterator
from typing import Any

from producer.synthetic import SyntheticConfig, generate

ZIPF_NAMES = 1_000_000
DEFAULT_SEED = 3
ZIPF_SEED = 13


def retagged(tweet: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    """The tweet with these hashtags in its entities (its text keeps the old ones)."""
    hashtags = [{"text": t, "indices": [0, 1]} for t in tags]
    return {**tweet, "entities": {**tweet["entities"], "hashtags": hashtags}}


def zipf_tagger(seed: int = ZIPF_SEED) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function giving a tweet new hashtags drawn from the Zipf law over ZIPF_NAMES names."""
    rng = random.Random(seed)
    cumulative = list(itertools.accumulate(1 / k for k in range(1, ZIPF_NAMES + 1)))
    total = cumulative[-1]

    def tag(tweet: dict[str, Any]) -> dict[str, Any]:
        tags = [
            f"z{bisect.bisect_left(cumulative, rng.random() * total)}"
            for _ in tweet["entities"]["hashtags"]
        ]
        return retagged(tweet, tags)

    return tag


def tweets(stream: str, count: int, per_second: float) -> Iterator[dict[str, Any]]:
    """`count` tweets of the stream, `per_second` of them per second of event time."""
    if stream == "default":
        return generate(SyntheticConfig(seed=DEFAULT_SEED, count=count, per_second=per_second))
    if stream == "zipf":
        tag = zipf_tagger()
        config = SyntheticConfig(seed=ZIPF_SEED, count=count, per_second=per_second)
        return (tag(t) for t in generate(config))
    raise ValueError(f"unknown stream {stream!r}: one of {', '.join(STREAMS)}")


STREAMS = ("default", "zipf")
