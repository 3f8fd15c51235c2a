"""The benchmark's queries in Spark Structured Streaming (PySpark), the approach of the Spark
Streaming tutorial this project grew from, written as Spark's guide teaches: the Kafka source,
the tweets' event time with a watermark (5 s, or --watermark-s), window() aggregations in
append mode (a window is emitted once the watermark passes its end), and foreachBatch to rank
each batch of finished windows (streaming plans cannot rank) and bulk-write them to
Elasticsearch.

Runs in a virtual environment of its own (bench/isolated.py), importing nothing from
tweetflow; bench/peers.py starts it with the verified Kafka connector jars:

    <venv>/bin/python -I bench/spark_peer.py --bootstrap HOST:PORT --topic T --es URL \
        --prefix P --jars A.jar,B.jar --work DIR

and times it from its start (the JVM's start-up counts, as it does for tweetflow's) to its exit.

One streaming query per aggregation, each reading the topic (Spark cannot chain windowed
aggregations of different windows in one query and emit them to several sinks), all started
together, `Trigger.AvailableNow`: they read what the topic holds and stop (with --live, from
the newest offsets, each micro-batch as soon as the last one ends, until killed:
bench/live_peers.py). Spark's watermark is
the newest event time over all partitions minus the delay, moved between micro-batches; like
Quix it needs the end-of-input tweets of bench/peers.py to pass its last windows.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

SCHEMA = StructType([
    StructField("timestamp_ms", LongType()),
    StructField("user", StructType([
        StructField("id_str", StringType()),
        StructField("screen_name", StringType()),
    ])),
    StructField("entities", StructType([
        StructField("hashtags", ArrayType(StructType([StructField("text", StringType())]))),
    ])),
])  # fmt: skip


def iso(column: str) -> Any:
    return F.date_format(F.col(column), "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")


def tweets(
    spark: SparkSession, bootstrap: str, topic: str, watermark_s: int, live: bool
) -> DataFrame:
    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", bootstrap)
        .option("subscribe", topic)
        .option("startingOffsets", "latest" if live else "earliest")
        .load()
    )
    parsed = raw.select(F.from_json(F.col("value").cast("string"), SCHEMA).alias("t")).select(
        (F.col("t.timestamp_ms") / 1000).cast("timestamp").alias("event_time"),
        F.col("t.user.id_str").alias("user_id"),
        F.col("t.user.screen_name").alias("screen_name"),
        F.col("t.entities.hashtags.text").alias("tags"),
    )
    return parsed.withWatermark("event_time", f"{watermark_s} seconds")


def writer(es: Elasticsearch, index: str, doc_id: Callable[[dict[str, Any]], str]) -> Any:
    def write(batch: DataFrame, batch_id: int) -> None:
        rows = [row.asDict() for row in batch.collect()]
        actions = [{"_index": index, "_id": doc_id(r), "_source": r} for r in rows]
        if actions:
            bulk(es, actions, chunk_size=2000, refresh=False)

    return write


def ranked(batch: DataFrame, n: int, count: str, name: str) -> DataFrame:
    order = Window.partitionBy("window_start").orderBy(F.col(count).desc(), F.col(name).asc())
    return batch.withColumn("rank", F.row_number().over(order)).where(F.col("rank") <= n)


def windows(frame: DataFrame, size: str, slide: str | None = None) -> DataFrame:
    return frame.withColumn(
        "w", F.window("event_time", size, slide) if slide else F.window("event_time", size)
    )


def queries(frame: DataFrame, es: Elasticsearch, prefix: str) -> list[tuple[DataFrame, Any]]:
    """Each aggregation with the foreachBatch function that writes what it emits."""
    bounds = [iso("w.start").alias("window_start"), iso("w.end").alias("window_end")]
    out = []
    for seconds in (2, 60):
        counted = windows(frame, f"{seconds} seconds").groupBy("w").count()
        rows = counted.select(
            F.lit(seconds).alias("window_seconds"), *bounds, F.col("count").alias("tweets")
        )
        out.append(
            (
                rows,
                writer(
                    es,
                    f"{prefix}tweet_rate",
                    lambda r: f"{r['window_seconds']}_{r['window_start']}",
                ),
            )
        )
    rolling = windows(frame, "60 seconds", "5 seconds").groupBy("w").count()
    out.append(
        (
            rolling.select(*bounds, F.col("count").alias("tweets")),
            writer(es, f"{prefix}tweet_rolling", lambda r: r["window_start"]),
        )
    )

    for kind, size, slide in (("tumble", "5 seconds", None), ("hop", "60 seconds", "5 seconds")):
        per_author = (
            windows(frame, size, slide)
            .groupBy("w", "user_id")
            .agg(F.count("*").alias("tweets"), F.max("screen_name").alias("screen_name"))
            .select(F.lit(kind).alias("window_kind"), *bounds, "user_id", "screen_name", "tweets")
        )
        out.append((per_author, top(es, f"{prefix}author_counts", 5, "tweets", "screen_name")))

    per_hashtag = (
        windows(
            frame.select("event_time", F.explode("tags").alias("hashtag")),
            "3600 seconds",
            "60 seconds",
        )
        .withColumn("hashtag", F.lower("hashtag"))
        .groupBy("w", "hashtag")
        .agg(F.count("*").alias("tweets"))
        .select(*bounds, "hashtag", "tweets")
    )
    out.append((per_hashtag, top(es, f"{prefix}top_hashtags", 10, "tweets", "hashtag")))
    return out


def top(es: Elasticsearch, index: str, n: int, count: str, name: str) -> Any:
    def doc_id(r: dict[str, Any]) -> str:
        return f"{r.get('window_kind', '')}{r['window_start']}_{r['rank']}"

    write = writer(es, index, doc_id)

    def rank_and_write(batch: DataFrame, batch_id: int) -> None:
        write(ranked(batch, n, count, name), batch_id)

    return rank_and_write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for option in ("--bootstrap", "--topic", "--es", "--prefix", "--jars", "--work"):
        parser.add_argument(option, required=True)
    parser.add_argument("--watermark-s", type=int, default=5, help="as tweetflow's watermark")
    parser.add_argument("--driver-memory", default="1g", help="the local JVM's heap, as Spark's")
    parser.add_argument(
        "--live", action="store_true",
        help="from the newest offsets, each micro-batch as soon as the last ends, until killed",
    )  # fmt: skip
    args = parser.parse_args()
    spark = (
        SparkSession.builder.master("local[*]")
        .appName("tweetflow-spark-peer")
        .config("spark.jars", args.jars)
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    es = Elasticsearch(args.es, timeout=120)
    frame = tweets(spark, args.bootstrap, args.topic, args.watermark_s, args.live)
    running = []
    for n, (rows, write) in enumerate(queries(frame, es, args.prefix)):
        stream = (
            rows.writeStream.outputMode("append")
            .foreachBatch(write)
            .option("checkpointLocation", f"{args.work}/checkpoint-{n}")
        )
        # Live: Spark's default trigger, the next micro-batch as soon as the last one ends.
        running.append((stream if args.live else stream.trigger(availableNow=True)).start())
    for query in running:
        query.awaitTermination()
    spark.stop()
    print(json.dumps({"queries": len(running)}))


if __name__ == "__main__":
    main()
