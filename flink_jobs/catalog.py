"""Which queries the job has: each one's sink tables, INSERTs and the views only it needs, as
files under sql/, and the functions, source and views every query reads."""

from __future__ import annotations

from dataclasses import dataclass

# Created first, in order: tweetflow's Java functions (the source and the views call them), the
# source, the shared sink options, then the views.
FUNCTIONS = (
    "ddl/tally_function.sql",
    "ddl/tweet_timestamp_function.sql",
    "ddl/tweet_fields_function.sql",
    "ddl/hashtag_summary_function.sql",
    "ddl/first_seen_function.sql",
    "ddl/tweet_words_function.sql",
    "ddl/trend_keys_function.sql",
    "ddl/trending_function.sql",
)
SOURCE_DDL = ("ddl/raw_tweets.sql", "ddl/es_defaults.sql")
ES_CREDENTIALS = "ddl/es_credentials.sql"
ES_API_KEY = "ddl/es_api_key.sql"
# Before the source: the Kafka options every Kafka table copies, with the security when set.
KAFKA_DEFAULTS = "ddl/kafka_defaults.sql"
KAFKA_SECURITY = "ddl/kafka_security.sql"
KAFKA_TRUSTSTORE = "ddl/kafka_truststore.sql"
VIEWS = (
    "views/parsed_tweets.sql",
    "views/received_tweets.sql",
    "views/tweets.sql",
    "views/tweet_hashtags.sql",
    "views/tweet_cashtags.sql",
    "views/hashtag_summaries.sql",
    "views/tweet_words.sql",
    "views/tracked_tweets.sql",
    "views/tweet_mentions.sql",
    "views/tweet_domains.sql",
)
# The Python UDF and the views over it: declared only when a query needs them.
SENTIMENT_SETUP = (
    "ddl/sentiment_function.sql",
    "views/tweet_sentiment.sql",
    "views/tweet_hashtag_sentiment.sql",
)
ENRICHMENT_MODES = ("off", "scalar", "vectorized")


@dataclass(frozen=True)
class Query:
    sinks: tuple[str, ...]  # DDL of the tables it writes
    inserts: tuple[str, ...]  # one INSERT per file
    setup: tuple[str, ...] = ()  # functions and views only this query reads
    enrichment: bool = False  # runs only with enrichment on (it calls a Python UDF)


QUERIES: dict[str, Query] = {
    "tweet_rate": Query(
        ("ddl/tweet_rate_es.sql",),
        ("queries/tweet_rate_short.sql", "queries/tweet_rate_minute.sql"),
    ),
    "tweet_rolling": Query(("ddl/tweet_rolling_es.sql",), ("queries/tweet_rolling.sql",)),
    "author_counts": Query(
        ("ddl/author_counts_es.sql",),
        ("queries/author_counts_tumbling.sql", "queries/author_counts_hopping.sql"),
    ),
    "top_hashtags": Query(("ddl/top_hashtags_es.sql",), ("queries/top_hashtags.sql",)),
    "languages": Query(("ddl/languages_es.sql",), ("queries/languages.sql",)),
    "cashtags": Query(("ddl/cashtags_es.sql",), ("queries/cashtags.sql",)),
    "live_tweets": Query(("ddl/live_tweets_es.sql",), ("queries/live_tweets.sql",)),
    "users": Query(("ddl/users_es.sql",), ("queries/users.sql",)),
    "related_hashtags": Query(("ddl/related_hashtags_es.sql",), ("queries/related_hashtags.sql",)),
    "influencers": Query(("ddl/influencers_es.sql",), ("queries/influencers.sql",)),
    "word_counts": Query(("ddl/word_counts_es.sql",), ("queries/word_counts.sql",)),
    "trending": Query(
        ("ddl/trending_es.sql",),
        ("queries/trending.sql",),
        ("views/tweet_trend_keys.sql", "views/trend_buckets.sql", "views/trends.sql"),
    ),
    "tracked": Query(
        ("ddl/tracked_kafka.sql", "ddl/tracked_counts_es.sql"),
        ("queries/tracked_route.sql", "queries/tracked_counts.sql"),
    ),
    "late_tweets": Query(("ddl/late_tweets_es.sql",), ("queries/late_tweets.sql",)),
    # What the job could not use: records dead-lettered (per reason), and how many good ones
    # arrived per minute, repeats included (the duplicates dropped, against tweet_rate).
    "dead_letters": Query(
        (
            "ddl/dead_letters_kafka.sql",
            "ddl/dead_letter_counts_es.sql",
            "ddl/received_counts_es.sql",
        ),
        (
            "queries/dead_letters.sql",
            "queries/dead_letter_counts.sql",
            "queries/received_counts.sql",
        ),
    ),
    "top_mentions": Query(("ddl/top_mentions_es.sql",), ("queries/top_mentions.sql",)),
    "top_domains": Query(("ddl/top_domains_es.sql",), ("queries/top_domains.sql",)),
    "sentiment": Query(
        ("ddl/sentiment_es.sql",), ("queries/sentiment.sql",), SENTIMENT_SETUP, enrichment=True
    ),
    "hashtag_sentiment": Query(
        ("ddl/hashtag_sentiment_es.sql",),
        ("queries/hashtag_sentiment.sql",),
        SENTIMENT_SETUP,
        enrichment=True,
    ),
    # Runs when an archive path is configured (and stores the sentiment, so needs it).
    "archive": Query(
        ("ddl/archive_fs.sql",), ("queries/archive.sql",), SENTIMENT_SETUP, enrichment=True
    ),
}
CORE_QUERIES = tuple(name for name, q in QUERIES.items() if not q.enrichment)


def core_queries_without(names: list[str]) -> tuple[str, ...]:
    """CORE_QUERIES but the named ones: at high rates, live_tweets (a document per tweet)
    costs Elasticsearch more than every other query together."""
    unknown = sorted(set(names) - set(CORE_QUERIES))
    if unknown:
        enrichment = [n for n in unknown if n in QUERIES and QUERIES[n].enrichment]
        hint = " (sentiment queries go with --enrichment off)" if enrichment else ""
        raise ValueError(
            f"--without {', '.join(unknown)}: not a core query{hint}; "
            f"the core queries are {', '.join(CORE_QUERIES)}"
        )
    if "dead_letters" in names:
        raise ValueError(
            "--without dead_letters: the job keeps every record it cannot read there, so it "
            "always runs"
        )
    return tuple(q for q in CORE_QUERIES if q not in names)
