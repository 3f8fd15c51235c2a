"""The analytics job's configuration: one typed object, and the SQL parameters it gives."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from flink_jobs.catalog import CORE_QUERIES, ENRICHMENT_MODES, QUERIES
from tweetflow.core.kafka_security import client_security
from tweetflow.core.settings import Settings, es_api_key, es_ca_file, es_password

AGG_PHASE_STRATEGY = "table.optimizer.agg-phase-strategy"

# The connector relocates Kafka's classes, login modules included.
_SHADED = "org.apache.flink.kafka.shaded.org.apache.kafka.common.security"
SHADED_LOGIN_MODULES = {
    "PLAIN": f"{_SHADED}.plain.PlainLoginModule",
    "SCRAM-SHA-256": f"{_SHADED}.scram.ScramLoginModule",
    "SCRAM-SHA-512": f"{_SHADED}.scram.ScramLoginModule",
}
# Common English, Spanish, Portuguese, French and German function words, and Twitter's "rt".
STOP_WORDS = (
    "a,about,after,all,also,an,and,any,are,as,at,be,been,but,by,can,could,do,does,for,from,"
    "get,had,has,have,he,her,his,how,i,if,in,into,is,it,its,just,me,more,my,no,not,now,of,on,"
    "one,or,our,out,rt,she,so,some,than,that,the,their,them,then,there,they,this,to,up,us,was,"
    "we,were,what,when,which,who,will,with,would,you,your,"
    "de,la,el,en,y,los,las,del,un,una,por,con,para,es,que,se,lo,al,"
    "do,da,os,as,um,uma,com,não,na,no,"
    "le,les,des,du,et,est,pour,dans,il,elle,"
    "der,die,das,und,ist,nicht,mit,den,ein,eine,zu"
)


@dataclass(frozen=True)
class JobConfig:
    kafka_bootstrap: str
    es_hosts: str
    # Jars the job ships (pipeline.jars): the SQL connectors, unless the Flink that runs it has
    # them in lib/ (tweetflow's image, `tweetflow cluster up`).
    connector_jars: tuple[Path, ...] = ()
    # tweetflow's Java SQL functions (flink_jobs/java_functions.py): on the embedded
    # mini-cluster's classpath and shipped with a job submitted elsewhere; None where the Flink
    # that runs the job has them in lib/ already.
    functions_jar: Path | None = None
    # The embedded mini-cluster serves Prometheus metrics on the first free port of this range
    # (TWEETFLOW_METRICS_PORTS) by Flink's reporter; empty: none. A cluster configures its own
    # reporters (docs/operating.md).
    metrics_ports: str = ""
    kafka_topic: str = "tweets"
    kafka_group_id: str = "tweetflow"
    scan_startup_mode: str = "earliest-offset"  # latest-offset, group-offsets, timestamp
    scan_startup_timestamp_ms: int = 0  # with timestamp: the first Kafka record time to read
    bounded: bool = False  # stop at the offsets current at start (finite replays, tests)
    es_index_prefix: str = "tweetflow_"
    es_username: str = ""  # basic authentication, when set
    es_password: str = field(default="", repr=False)
    es_api_key: str = field(default="", repr=False)  # encoded API key, instead of a user
    es_flush_interval: str = "500ms"
    # How often Elasticsearch makes new results searchable (the indexes' refresh_interval).
    es_refresh_interval: str = "1s"
    # PEM of the CA that signed Elasticsearch's certificate (https hosts); empty: the JVM's CAs.
    es_ca_file: str = ""
    # Kafka's security, as the TWEETFLOW_KAFKA_* variables give it: empty protocol = PLAINTEXT.
    kafka_security_protocol: str = ""  # SASL_SSL, SSL or SASL_PLAINTEXT
    kafka_sasl_mechanism: str = "PLAIN"  # or SCRAM-SHA-256, SCRAM-SHA-512
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = field(default="", repr=False)
    kafka_ssl_cafile: str = ""  # PEM; empty: the JVM's CAs
    watermark_delay_s: int = 5
    # A tweet dated further ahead of the job's clock is dead-lettered: it would drag the
    # watermark into the future and make every later tweet late.
    future_tolerance_s: int = 300
    max_text_chars: int = 25_000  # X's longest posts; longer texts are dead-lettered
    # How long a tweet id is remembered to drop a second copy: until the watermark is this far
    # past the end of the minute of the tweet's event time (FIRST_SEEN). Re-sends come within
    # it: a restarted producer, Jetstream's 5 s rewind, X's reconnect backfill (at most 5
    # minutes). Each id held costs about 190 bytes of heap: at 5,700 tweets/s up to 6 minutes
    # of ids, 2 million (0.4 GB); a catch-up holds as many, whatever its speed. Also the state
    # TTL of the latest profile per author (users).
    dedup_horizon: str = "5 min"
    tweet_rate_window_s: int = 2
    rolling_window_s: int = 60
    rolling_slide_s: int = 5
    author_tumble_window_s: int = 5
    top_authors: int = 5
    hashtag_window_s: int = 3600
    hashtag_slide_s: int = 60
    top_hashtags: int = 10
    # Counters (hashtags, related pairs, author pairs) each minute of the hashtag windows keeps
    # (HashtagSummary.java): exact up to 1.25 x this many, Space-Saving estimates beyond. About
    # 150 bytes each: 60 minutes x 12,500 is 110 MB for the hour. The default generator's
    # minutes need 7,500. 0: always exact, memory growing with the distinct hashtags.
    hashtag_capacity: int = 10_000
    count_window_s: int = 60
    top_related: int = 10
    top_influencers: int = 5
    top_words: int = 20
    stop_words: str = STOP_WORDS
    # trending (docs/queries.md): buckets of trend_slide_s; a baseline of distinct authors per
    # bucket weighted over about trend_span_buckets; a key trends from trend_enter_score with
    # at least trend_min_authors and until it falls below trend_exit_score; the top_trends
    # best per bucket. Buckets with fewer than trend_floor authors count as none, and a key is
    # forgotten trend_memory_buckets after its last bucket.
    trend_slide_s: int = 60
    trend_span_buckets: int = 30
    trend_min_authors: int = 10
    trend_enter_score: float = 5.0
    trend_exit_score: float = 2.0
    trend_floor: int = 2
    trend_memory_buckets: int = 120
    top_trends: int = 10
    tracked_terms: tuple[str, ...] = ("flink", "kafka", "streaming")
    tracked_domains: tuple[str, ...] = ()  # empty: any tweet; else only tweets linking there
    es_replicas: int = 0
    parallelism: int = 1  # 0: the cluster's parallelism.default
    # On a Flink cluster (submitted with `jobmanager`, or started by `flink run` or the
    # Kubernetes operator), the cluster's configuration wins for what belongs to the cluster
    # (checkpointing, state backend, parallelism, restarts) unless set here explicitly.
    on_cluster: bool = False
    # That configuration as the submitter knows it (the cluster's REST /jobmanager/config);
    # a launcher on the cluster reads its own.
    cluster_options: tuple[tuple[str, str], ...] = ()
    # A partition with no records for this long stops holding back the watermark. Off for
    # bounded runs: while catching up, a back-pressured partition can look idle, and its
    # records would then arrive behind the watermark and be dropped as late.
    source_idle_timeout: str = "30 s"
    # Where keyed state lives: "hashmap" (objects on the JVM heap: fastest while it fits),
    # "rocksdb" (serialized, off heap and on local disk: for state larger than the heap), or
    # empty: the cluster's setting (the embedded mini-cluster's is hashmap).
    state_backend: str = ""
    # Empty: 10 s for a live job (at most that much is read again after a restart), 60 s for a
    # bounded run: every checkpoint copies the whole duplicate filter, which a replay fills
    # fast (bench.tuning measures the difference).
    checkpoint_interval: str = ""
    checkpoint_mode: str = "EXACTLY_ONCE"  # or AT_LEAST_ONCE (lower latency under backpressure)
    checkpoint_dir: Path | None = None
    log_dir: Path | None = None
    heap: str = "1g"
    # More options of the embedded mini-cluster's JVM (TWEETFLOW_FLINK_JVM_OPTIONS), e.g. a
    # flight recording (bench.profile).
    jvm_args: str = ""
    # Flink options (key, value) set after tweetflow's own, so a key here wins: tuning
    # (`job run --set`, bench.tuning) without a code change.
    flink_options: tuple[tuple[str, str], ...] = ()
    java_home: Path | None = None
    # host:port of a running Flink cluster's REST endpoint; empty: the embedded mini-cluster.
    jobmanager: str = ""
    # Start from this savepoint or retained checkpoint (a path or URI the cluster can read).
    from_savepoint: str = ""
    # Start even if some of the savepoint's state belongs to no operator of this job (a query
    # was removed or changed): that state is dropped.
    allow_non_restored_state: bool = False
    # The core queries; the enrichment queries join them when `enrichment` is on.
    queries: tuple[str, ...] = CORE_QUERIES
    # Sentiment by a Python UDF: "off" (no Python in the job at all), "scalar" (one call per
    # tweet) or "vectorized" (pandas batches); bench/enrichment_cost.py measures each.
    enrichment: str = "off"
    top_entities: int = 10
    # The Parquet archive: a directory or a filesystem URI (file://, s3://...); empty: none.
    archive_path: str = ""
    archive_file_size: str = "128MB"
    archive_rollover: str = "15 min"

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str] | None = None) -> JobConfig:
        """Where the job reads and writes, with which credentials, as TWEETFLOW_* give it: the
        configuration every launcher starts from, the one on a cluster included."""
        environ = None if env is None else dict(env)
        kafka = client_security(environ)
        return cls(
            kafka_bootstrap=settings.kafka_bootstrap,
            kafka_security_protocol=kafka.get("security_protocol", ""),
            kafka_sasl_mechanism=kafka.get("sasl_mechanism", "PLAIN"),
            kafka_sasl_username=kafka.get("sasl_plain_username", ""),
            kafka_sasl_password=kafka.get("sasl_plain_password", ""),
            kafka_ssl_cafile=kafka.get("ssl_cafile", ""),
            kafka_topic=settings.topic,
            es_hosts=settings.es_hosts or settings.es_url,
            es_username=settings.es_username,
            es_password=es_password(environ) if settings.es_username else "",
            es_api_key="" if settings.es_username else es_api_key(environ),
            es_ca_file=es_ca_file(settings, environ),
            es_index_prefix=settings.es_index_prefix,
            heap=settings.flink_heap,
            jvm_args=settings.flink_jvm_options,
            metrics_ports=settings.flink_metrics_ports,
        )

    @property
    def remote(self) -> bool:
        return self.on_cluster or bool(self.jobmanager)

    @property
    def reports_metrics(self) -> bool:
        """Whether the embedded mini-cluster gets the Prometheus reporter."""
        return not self.remote and bool(self.metrics_ports)

    def run_queries(self) -> tuple[str, ...]:
        """The queries this configuration runs, in order."""
        enrichment_mode(self.enrichment)
        unknown = sorted(set(self.queries) - set(QUERIES))
        if unknown:
            raise ValueError(f"unknown queries {unknown}; known: {sorted(QUERIES)}")
        extra = (
            ()
            if self.enrichment == "off"
            else tuple(
                name
                for name, q in QUERIES.items()
                if q.enrichment and name not in self.queries and name != "archive"
            )
        )
        chosen = (*self.queries, *extra)
        if self.archive_path and "archive" not in chosen:
            chosen = (*chosen, "archive")
        if "archive" in chosen and not self.archive_path:
            raise ValueError("the archive query needs an archive path")
        needing = [n for n in chosen if QUERIES[n].enrichment]
        if needing and self.enrichment == "off":
            raise ValueError(
                f"{', '.join(needing)} score{'s' if len(needing) == 1 else ''} sentiment: turn "
                "enrichment on (--enrichment vectorized or scalar)"
            )
        return chosen

    def check_intervals(self) -> None:
        """The sink's flush and the indexes' refresh interval, in the one spelling both Flink
        and Elasticsearch read."""
        for name in ("es_flush_interval", "es_refresh_interval"):
            value = getattr(self, name)
            if not re.fullmatch(r"[1-9][0-9]*(ms|s)", value):
                raise ValueError(
                    f"{name.removeprefix('es_').replace('_', ' ')} {value!r}: a whole number of "
                    "milliseconds or seconds, such as 200ms or 1s"
                )

    def kafka_jaas_config(self) -> str:
        """The connector's sasl.jaas.config for the username and password; empty without SASL."""
        if "SASL" not in self.kafka_security_protocol.upper():
            return ""
        module = SHADED_LOGIN_MODULES.get(self.kafka_sasl_mechanism.upper())
        if module is None:
            raise ValueError(
                f"Kafka SASL mechanism {self.kafka_sasl_mechanism!r}: one of "
                f"{sorted(SHADED_LOGIN_MODULES)}"
            )
        quote = lambda v: '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
        return (
            f"{module} required username={quote(self.kafka_sasl_username)} "
            f"password={quote(self.kafka_sasl_password)};"
        )

    @property
    def agg_phase_strategy(self) -> str | None:
        """tweetflow's choice of the planner's aggregation phases: one at parallelism 1 (a
        local pre-aggregation saves no network there: render.py says what it measured), else
        Flink's own."""
        return "ONE_PHASE" if self.parallelism == 1 else None

    @property
    def aggregates_in_one_phase(self) -> bool:
        """Whether the planner aggregates in one phase: tweetflow's choice unless --set made
        another. HASHTAG_SUMMARY then merges summaries only to read a firing window, which it
        does without copying them (summary_transient_merges)."""
        chosen = dict(self.flink_options).get(AGG_PHASE_STRATEGY, self.agg_phase_strategy)
        return (chosen or "AUTO").upper() == "ONE_PHASE"

    def sql_params(self) -> dict[str, object]:
        return {
            "kafka_bootstrap": self.kafka_bootstrap,
            "kafka_topic": self.kafka_topic,
            "kafka_group_id": self.kafka_group_id,
            "scan_startup_mode": self.scan_startup_mode,
            "scan_startup_timestamp_ms": self.scan_startup_timestamp_ms,
            "scan_bounded_mode": "latest-offset" if self.bounded else "unbounded",
            "es_hosts": self.es_hosts,
            "es_username": self.es_username,
            "es_password": self.es_password,
            "es_api_key": self.es_api_key,
            "kafka_security_protocol": self.kafka_security_protocol,
            "kafka_sasl_mechanism": self.kafka_sasl_mechanism,
            "kafka_sasl_jaas_config": self.kafka_jaas_config(),
            "kafka_ssl_cafile": self.kafka_ssl_cafile,
            "es_index_prefix": self.es_index_prefix,
            "es_flush_interval": self.es_flush_interval,
            "kafka_dead_letter_topic": f"{self.kafka_topic}.dlq",
            "watermark_delay_s": self.watermark_delay_s,
            "future_tolerance_s": self.future_tolerance_s,
            "max_text_chars": self.max_text_chars,
            "dedup_horizon": self.dedup_horizon,
            "tweet_rate_window_s": self.tweet_rate_window_s,
            "rolling_window_s": self.rolling_window_s,
            "rolling_slide_s": self.rolling_slide_s,
            "author_tumble_window_s": self.author_tumble_window_s,
            "top_authors": self.top_authors,
            "hashtag_window_s": self.hashtag_window_s,
            "hashtag_slide_s": self.hashtag_slide_s,
            "top_hashtags": self.top_hashtags,
            "hashtag_capacity": self.hashtag_capacity,
            "count_window_s": self.count_window_s,
            "top_related": self.top_related,
            "top_influencers": self.top_influencers,
            "summary_related": self.top_related if "related_hashtags" in self.queries else 0,
            "summary_influencers": self.top_influencers if "influencers" in self.queries else 0,
            "summary_transient_merges": str(self.aggregates_in_one_phase).lower(),
            "top_words": self.top_words,
            "stop_words": self.stop_words,
            "trend_slide_s": self.trend_slide_s,
            "trend_span_buckets": self.trend_span_buckets,
            "trend_min_authors": self.trend_min_authors,
            "trend_enter_score": self.trend_enter_score,
            "trend_exit_score": self.trend_exit_score,
            "trend_floor": self.trend_floor,
            "trend_memory_buckets": self.trend_memory_buckets,
            "top_trends": self.top_trends,
            "kafka_tracked_topic": f"{self.kafka_topic}.tracked",
            "tracked_terms": ",".join(t.strip().lower() for t in self.tracked_terms if t.strip()),
            "tracked_domains_regex": domains_regex(self.tracked_domains),
            "top_entities": self.top_entities,
            "sentiment_function": f"flink_jobs.sentiment.sentiment_{self.enrichment}",
            "archive_path": archive_uri(self.archive_path),
            "archive_file_size": self.archive_file_size,
            "archive_rollover": self.archive_rollover,
        }


def archive_uri(path: str) -> str:
    """A plain directory as a file:// URI; a URI (s3://, file://, hdfs://) as it is."""
    if not path or "://" in path:
        return path
    return Path(path).expanduser().resolve().as_uri()


def enrichment_mode(value: str) -> str:
    """`value` when it names an enrichment mode, else ValueError listing those that do."""
    if value not in ENRICHMENT_MODES:
        raise ValueError(f"enrichment {value!r}: one of {ENRICHMENT_MODES}")
    return value


# Flink's duration units (org.apache.flink.util.TimeUtils), which FIRST_SEEN parses.
DURATION = re.compile(
    r"\d+ ?(ms|milli|millis|millisecond|milliseconds|s|sec|secs|second|seconds"
    r"|m|min|mins|minute|minutes|h|hour|hours|d|day|days)"
)


def dedup_horizon(value: str) -> str:
    """`value` when it is a duration Flink reads ('5 min', '90 s'), else ValueError."""
    if not DURATION.fullmatch(value.strip()):
        raise ValueError(
            f"dedup horizon {value!r}: a number and a unit, e.g. '5 min', '90 s', '1 h'"
        )
    return value.strip()


def domains_regex(domains: tuple[str, ...]) -> str:
    """A URL whose host is one of the domains or a subdomain of one; empty when no domains."""
    if not domains:
        return ""
    names = "|".join(re.escape(d.strip().lower()).replace(r"\.", "[.]") for d in domains)
    return f"https?://([^/ ]+[.])?({names})(/| |$)"


START_POSITIONS = {
    "earliest": "earliest-offset",
    "latest": "latest-offset",
    "group": "group-offsets",
}


def start_position(value: str) -> tuple[str, int]:
    """`--from`: earliest, latest, group (the consumer group's committed offsets), or a time
    (ISO 8601, UTC unless it says otherwise; or epoch milliseconds) as (mode, timestamp ms)."""
    if value in START_POSITIONS:
        return START_POSITIONS[value], 0
    if value.isdigit():
        return "timestamp", int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--from {value!r}: earliest, latest, group, or a time such as "
            "2026-12-06T09:00:00Z (or epoch milliseconds)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return "timestamp", int(moment.timestamp() * 1000)


def parse_flink_options(pairs: list[str]) -> tuple[tuple[str, str], ...]:
    """KEY=VALUE strings as JobConfig.flink_options."""
    parsed = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(
                f"--set {pair!r}: expected KEY=VALUE, a Flink option such as "
                "execution.checkpointing.interval='60 s'"
            )
        parsed.append((key.strip(), value.strip()))
    return tuple(parsed)
