"""Bluesky source throughput: how many Jetstream frames one producer process maps and sends,
against the rate of the public post stream.

    python -m bench.bluesky_bench            # 60,000 frames
    python -m bench.bluesky_bench --smoke    # 3,000, for CI

The frames are Jetstream-shaped events (tests/support/jetstream_emulator.py) in the mix a
`wantedCollections=app.bsky.feed.post` subscriber sees: posts with tag, mention and link
facets in multi-byte text, replies, quotes, deletes, identity events. A local Jetstream in a
separate process serves them over loopback WebSocket, so the producer process pays for the
WebSocket reads as it would in production. Measured back to back in one run:

- mapping alone: JSON decoding and the event-to-tweet mapping, frames in memory;
- end to end: WebSocket -> mapping -> Kafka (acks=all, idempotence, lz4), with the resume
  point written every second, for each Kafka backend.

Bluesky's public post stream carries tens to a few hundred posts a second; the headroom is
the measured posts/s over PUBLIC_POSTS_PER_S, a generous peak.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import kafka_broker, write
from producer import pipeline
from producer.bluesky import BlueskyConfig, Checkpoint, JetstreamSource
from producer.kafka_sink import open_sink
from tests.support.jetstream_emulator import (
    delete,
    facet,
    identity,
    link,
    mention,
    post,
    running,
    tag,
)

PUBLIC_POSTS_PER_S = 500
WORDS = "stream flink kafka café 日本語 data live sky blue ünïcode post today great".split()  # noqa: SIM905


def frames(count: int, seed: int = 3) -> tuple[list[Any], int]:
    """`count` events: about 85% posts, 10% deletes, 5% identity events."""
    rng = random.Random(seed)
    authors = [f"did:plc:bench{n:05d}abcdefghijklm" for n in range(2000)]
    out: list[Any] = []
    posts, time_us = 0, 1_767_225_600_000_000
    while len(out) < count:
        time_us += rng.randint(200, 5000)
        did = rng.choice(authors)
        roll = rng.random()
        if roll < 0.05:
            out.append(identity(did, f"h{did[-18:]}.bsky.social", time_us))
            continue
        if roll < 0.15:
            out.append(delete(did, f"3k{posts:08d}", time_us))
            continue
        tags = rng.sample(WORDS, rng.randint(0, 3))
        friend = rng.choice(authors)
        text = " ".join(rng.choices(WORDS, k=12)) + " @friend.bsky.social https://e.org/a"
        text += "".join(f" #{t}" for t in tags)
        facets = [facet(text, f"#{t}", tag(t)) for t in tags]
        facets += [facet(text, "@friend.bsky.social", mention(friend)),
                   facet(text, "https://e.org/a", link("https://e.org/a"))]  # fmt: skip
        parent = f"at://{friend}/app.bsky.feed.post/3kparent" if rng.random() < 0.3 else None
        out.append(post(did, f"3k{posts:08d}", time_us, text, facets=facets, langs=["en"],
                        reply_to=parent))  # fmt: skip
        posts += 1
    return out, posts


def _serve(events: list[Any], urls: Any, done: Any) -> None:
    with running(events) as jetstream:
        urls.put(jetstream.url)
        done.wait()


def mapping_rate(events: list[Any], posts: int) -> dict[str, float]:
    import orjson

    raw = [orjson.dumps(e) for e in events]
    source = JetstreamSource(BlueskyConfig(instances=("ws://unused",)))
    began = time.perf_counter()
    mapped = sum(1 for frame in raw if (r := source._record(frame)) is not None and not r.reject)
    seconds = time.perf_counter() - began
    assert mapped == posts, (mapped, posts)
    return {"frames_per_s": len(raw) / seconds, "posts_per_s": posts / seconds}


def end_to_end_rate(
    events: list[Any], posts: int, backend: str, bootstrap: str, state: Path
) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    urls, done = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(events, urls, done), daemon=True)
    server.start()
    try:
        url = urls.get(timeout=60)
        config = BlueskyConfig(instances=(url,), cursor_file=state / backend, count=posts)
        source = JetstreamSource(config)
        sink = open_sink(backend, bootstrap, f"bench-bsky-{uuid.uuid4().hex[:6]}", 2)
        keeper = Checkpoint(source.resume_point, sink, config.rewind_us)
        began = time.perf_counter()
        counters = pipeline.run(source.records(), sink, on_sent=keeper.sent)
        sink.close()
        keeper.close()
        seconds = time.perf_counter() - began
    finally:
        done.set()
        server.join(timeout=10)
    if (counters.sent, sink.stats.acked) != (posts, posts):
        raise RuntimeError(f"{backend}: {counters.sent} sent, {sink.stats.acked} acked of {posts}")
    return {"frames_per_s": len(events) / seconds, "posts_per_s": posts / seconds}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=60_000, help="frames")
    parser.add_argument("--smoke", action="store_true", help="a few thousand frames, for CI")
    parser.add_argument("--bootstrap", help="an existing broker; default: start a private one")
    args = parser.parse_args(argv)
    count = 3_000 if args.smoke else args.count
    events, posts = frames(count)
    results: dict[str, Any] = {"frames": count, "posts": posts}
    results["mapping alone"] = mapping_rate(events, posts)
    with kafka_broker(args.bootstrap) as (bootstrap, _), tempfile.TemporaryDirectory() as tmp:
        for backend in ("kafka-python", "confluent-kafka"):
            figures = end_to_end_rate(events, posts, backend, bootstrap, Path(tmp))
            results[f"end to end ({backend})"] = figures
    print(f"\nBluesky source, {count:,} Jetstream frames ({posts:,} posts), one process")
    for name in ("mapping alone", "end to end (kafka-python)", "end to end (confluent-kafka)"):
        f = results[name]
        headroom = f["posts_per_s"] / PUBLIC_POSTS_PER_S
        print(
            f"  {name:<30}{f['frames_per_s']:>10,.0f} frames/s {f['posts_per_s']:>10,.0f} posts/s"
            f"   {headroom:6.1f}x a {PUBLIC_POSTS_PER_S} posts/s public stream"
        )
    results["public_posts_per_s"] = PUBLIC_POSTS_PER_S
    path = write("bluesky_smoke" if args.smoke else "bluesky", results)
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    main()
