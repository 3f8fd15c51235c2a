"""Build the analytics job from sql/ and run it on the embedded mini-cluster.

All INSERTs go into one statement set: one job, one read of the Kafka topic.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flink_jobs import es_templates, gateway, sql_template

if TYPE_CHECKING:
    from pyflink.table import TableEnvironment, TableResult

# Created first, in order: tweetflow's Java functions (the source and the views call them), the
# source, the shared sink options, then the views.
FUNCTIONS = ("ddl/tweet_timestamp_function.sql", "ddl/tweet_fields_function.sql")
SOURCE_DDL = ("ddl/raw_tweets.sql", "ddl/es_defaults.sql")
ES_CREDENTIALS = "ddl/es_credentials.sql"
# Before the source: the Kafka options every Kafka table copies, with the security when set.
KAFKA_DEFAULTS = "ddl/kafka_defaults.sql"
KAFKA_SECURITY = "ddl/kafka_security.sql"
KAFKA_TRUSTSTORE = "ddl/kafka_truststore.sql"
# The connector relocates Kafka's classes, login modules included.
_SHADED = "org.apache.flink.kafka.shaded.org.apache.kafka.common.security"
SHADED_LOGIN_MODULES = {
    "PLAIN": f"{_SHADED}.plain.PlainLoginModule",
    "SCRAM-SHA-256": f"{_SHADED}.scram.ScramLoginModule",
    "SCRAM-SHA-512": f"{_SHADED}.scram.ScramLoginModule",
}
VIEWS = (
    "views/parsed_tweets.sql",
    "views/tweets.sql",
    "views/tweet_hashtags.sql",
    "views/tweet_cashtags.sql",
    "views/tweet_hashtag_pairs.sql",
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
    "tracked": Query(
        ("ddl/tracked_kafka.sql", "ddl/tracked_counts_es.sql"),
        ("queries/tracked_route.sql", "queries/tracked_counts.sql"),
    ),
    "late_tweets": Query(("ddl/late_tweets_es.sql",), ("queries/late_tweets.sql",)),
    "dead_letters": Query(
        ("ddl/dead_letters_kafka.sql", "ddl/dead_letter_counts_es.sql"),
        ("queries/dead_letters.sql", "queries/dead_letter_counts.sql"),
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


@dataclass(frozen=True)
class JobConfig:
    kafka_bootstrap: str
    es_hosts: str
    connector_jars: tuple[Path, ...]
    # tweetflow's Java SQL functions (flink_jobs/java_functions.py): on the embedded
    # mini-cluster's classpath, and shipped with a job submitted to a cluster.
    functions_jar: Path
    kafka_topic: str = "tweets"
    kafka_group_id: str = "tweetflow"
    scan_startup_mode: str = "earliest-offset"  # latest-offset, group-offsets, timestamp
    scan_startup_timestamp_ms: int = 0  # with timestamp: the first Kafka record time to read
    bounded: bool = False  # stop at the offsets current at start (finite replays, tests)
    es_index_prefix: str = "tweetflow_"
    es_username: str = ""  # basic authentication, when set
    es_password: str = field(default="", repr=False)
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
    # How long a tweet id is remembered to drop a second copy (processing time; the job's state
    # TTL). Re-sends come within it: a restarted producer, Jetstream's 5 s rewind, X's reconnect
    # backfill (at most 5 minutes). Each id held costs about 250 bytes of heap: at 5,700 tweets/s
    # 5 minutes hold 1.7 million (430 MB); 10 minutes outgrew the default 1 GiB heap.
    dedup_horizon: str = "5 min"
    tweet_rate_window_s: int = 2
    rolling_window_s: int = 60
    rolling_slide_s: int = 5
    author_tumble_window_s: int = 5
    top_authors: int = 5
    hashtag_window_s: int = 3600
    hashtag_slide_s: int = 60
    top_hashtags: int = 10
    count_window_s: int = 60
    top_related: int = 10
    top_influencers: int = 5
    top_words: int = 20
    stop_words: str = STOP_WORDS
    tracked_terms: tuple[str, ...] = ("flink", "kafka", "streaming")
    tracked_domains: tuple[str, ...] = ()  # empty: any tweet; else only tweets linking there
    es_replicas: int = 0
    parallelism: int = 1  # 0: the cluster's parallelism.default
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
    # More options of the embedded mini-cluster's JVM, e.g. a flight recording (bench.profile).
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

    def run_queries(self) -> tuple[str, ...]:
        """The queries this configuration runs, in order."""
        if self.enrichment not in ENRICHMENT_MODES:
            raise ValueError(f"enrichment {self.enrichment!r}: one of {ENRICHMENT_MODES}")
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
            raise ValueError(f"{needing} score sentiment: turn enrichment on (scalar, vectorized)")
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
            "count_window_s": self.count_window_s,
            "top_related": self.top_related,
            "top_influencers": self.top_influencers,
            "top_words": self.top_words,
            "stop_words": self.stop_words,
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


def domains_regex(domains: tuple[str, ...]) -> str:
    """A URL whose host is one of the domains or a subdomain of one; empty when no domains."""
    if not domains:
        return ""
    names = "|".join(re.escape(d.strip().lower()).replace(r"\.", "[.]") for d in domains)
    return f"https?://([^/ ]+[.])?({names})(/| |$)"


def statements(config: JobConfig) -> tuple[list[str], list[str]]:
    """(DDL statements, INSERT statements) rendered from sql/ for this configuration."""
    chosen = config.run_queries()
    params = config.sql_params()
    credentials = (ES_CREDENTIALS,) if config.es_username else ()
    kafka = (
        KAFKA_DEFAULTS,
        *((KAFKA_SECURITY,) if config.kafka_security_protocol else ()),
        *((KAFKA_TRUSTSTORE,) if config.kafka_ssl_cafile else ()),
    )
    setup = dict.fromkeys(path for name in chosen for path in QUERIES[name].setup)
    paths = (*FUNCTIONS, *kafka, SOURCE_DDL[0], SOURCE_DDL[1], *credentials, *VIEWS, *setup)
    ddl = [sql_template.load(path, params) for path in paths]
    inserts = []
    for name in chosen:
        ddl += [sql_template.load(path, params) for path in QUERIES[name].sinks]
        inserts += [sql_template.load(path, params) for path in QUERIES[name].inserts]
    return ddl, inserts


GARBAGE_COLLECTOR = re.compile(r"-XX:\+Use\w+GC\b")


def gateway_jvm_args(config: JobConfig) -> str:
    """The options of the JVM that runs the embedded mini-cluster. A bounded run (a replay, a
    catch-up) gets the parallel collector: there throughput counts, not pauses (bench.tuning:
    G1 with 10 s checkpoints read 40,000 tweets/s of 5,000,000, the parallel collector
    46,000). A live job keeps the JVM's G1, whose short pauses its freshness needs. A
    collector in jvm_args wins."""
    chosen = GARBAGE_COLLECTOR.search(config.jvm_args)
    collector = "-XX:+UseParallelGC" if config.bounded and not chosen else ""
    return " ".join(part for part in (f"-Xmx{config.heap}", collector, config.jvm_args) if part)


def _prepare_gateway_environment(config: JobConfig) -> None:
    """The PyFlink gateway JVM reads these when it starts, i.e. at the first TableEnvironment."""
    os.environ["JVM_ARGS"] = gateway_jvm_args(config)
    # Generated code calls the functions by class name, and is compiled in this JVM with its
    # own class loader, which does not see pipeline.jars: the functions go into its lib/.
    from flink_jobs import java_functions
    from tweetflow.stack.flink_cluster import pyflink_home

    lib = java_functions.lib_dir(java_functions.flink_lib(), config.functions_jar)
    os.environ.setdefault("FLINK_HOME", str(pyflink_home()))  # else PyFlink resets FLINK_LIB_DIR
    os.environ["FLINK_LIB_DIR"] = str(lib)
    if config.es_ca_file:
        # The Elasticsearch connector trusts the JVM's trust store: the JDK's CAs plus this one.
        from tweetflow.stack import tls

        java_home = config.java_home or Path(os.environ.get("JAVA_HOME", ""))
        store = tls.trust_store(Path(config.es_ca_file), java_home)
        os.environ["JVM_ARGS"] += (
            f" -Djavax.net.ssl.trustStore={store} -Djavax.net.ssl.trustStoreType=PKCS12"
            f" -Djavax.net.ssl.trustStorePassword={tls.TRUST_STORE_PASSWORD}"
        )
    if config.java_home is not None:
        os.environ["JAVA_HOME"] = str(config.java_home)
    if config.log_dir is not None:
        config.log_dir.mkdir(parents=True, exist_ok=True)
        os.environ["FLINK_LOG_DIR"] = str(config.log_dir)


def session_options(config: JobConfig) -> dict[str, str]:
    """Options of the job's table session: set on the PyFlink environment, and written as SET
    statements into the SQL client's init file."""
    options = {
        "pipeline.name": "tweetflow-analytics",
        # Window bounds are computed in UTC whatever the machine's zone is.
        "table.local-time-zone": "UTC",
        # A quiet partition must not hold back the watermark, or windows never fire.
        "table.exec.source.idle-timeout": "0 ms" if config.bounded else config.source_idle_timeout,
        "execution.checkpointing.interval": config.checkpoint_interval
        or ("60 s" if config.bounded else "10 s"),
        "execution.checkpointing.mode": config.checkpoint_mode,
        # Only the duplicate-id filter and the latest profile per author keep state outside
        # windows (windows clean up after themselves); the dead-letter counts opt out by hint.
        "table.exec.state.ttl": config.dedup_horizon,
        # Each INSERT is planned from its own copy of the views; without this, the projections
        # pushed into each copy keep them apart, and every query got its own duplicate filter
        # (a shuffle and the ids' state each) and its own call of the sentiment UDF.
        "table.optimizer.reuse-optimize-block-with-digest-enabled": "true",
        # Chained operators hand rows over without a copy (SQL operators copy what they keep):
        # 9% more tweets per second in bench.peers' catch-up.
        "pipeline.object-reuse": "true",
        # A killed job (kill -9, a lost machine) restarts from its newest checkpoint: keep it
        # when the job is cancelled too (`job run --resume` finds it).
        "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
        # A failure (a lost TaskManager, Elasticsearch or Kafka unreachable: the connectors fail
        # a request they cannot complete) restarts the job from its newest checkpoint, forever,
        # waiting 1 s, 2 s, 4 s ... at most 30 s in between; Kafka keeps the input meanwhile and
        # the idempotent upserts make the replay exact.
        "restart-strategy.type": "exponential-delay",
        "restart-strategy.exponential-delay.initial-backoff": "1 s",
        "restart-strategy.exponential-delay.max-backoff": "30 s",
        "restart-strategy.exponential-delay.backoff-multiplier": "2.0",
        "restart-strategy.exponential-delay.reset-backoff-threshold": "10 min",
        "restart-strategy.exponential-delay.jitter-factor": "0.1",
        "restart-strategy.exponential-delay.attempts-before-reset-backoff": str(2**31 - 1),
    }
    if config.parallelism > 0:
        options["parallelism.default"] = str(config.parallelism)
    if config.state_backend:
        if config.state_backend not in ("hashmap", "rocksdb"):
            raise ValueError(f"state backend {config.state_backend!r}: hashmap or rocksdb")
        options["state.backend.type"] = config.state_backend
    if config.enrichment != "off":
        # The UDF's workers run this interpreter, where tweetflow and VADER are installed.
        options["python.executable"] = sys.executable
        options["python.client.executable"] = sys.executable
    if config.checkpoint_dir is not None:
        options["state.checkpoints.dir"] = config.checkpoint_dir.resolve().as_uri()
    return options | dict(config.flink_options)


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


def _submission_configuration(config: JobConfig) -> dict[str, str]:
    """Where the job runs: read when the environment is created, too late to set afterwards."""
    options: dict[str, str] = {}
    if config.jobmanager:
        host, _, port = config.jobmanager.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                f"--jobmanager {config.jobmanager!r}: expected host:port of the cluster's REST "
                "endpoint, e.g. 127.0.0.1:8081"
            )
        options |= {"execution.target": "remote", "rest.address": host, "rest.port": port}
    if config.from_savepoint:
        options["execution.savepoint.path"] = config.from_savepoint
        if config.allow_non_restored_state:
            options["execution.savepoint.ignore-unclaimed-state"] = "true"
    return options


def table_environment(config: JobConfig) -> TableEnvironment:
    _prepare_gateway_environment(config)
    gateway.start(config.log_dir)  # its output goes to the log, never onto the terminal
    from pyflink.common import Configuration
    from pyflink.table import EnvironmentSettings, TableEnvironment

    submission = Configuration()
    for key, value in _submission_configuration(config).items():
        submission.set_string(key, value)
    env = TableEnvironment.create(
        EnvironmentSettings.new_instance()
        .in_streaming_mode()
        .with_configuration(submission)
        .build()
    )
    conf = env.get_config()
    jars = (*config.connector_jars, config.functions_jar)
    conf.set("pipeline.jars", ";".join(p.resolve().as_uri() for p in jars))
    for key, value in session_options(config).items():
        conf.set(key, value)
    return env


class SavepointMismatchError(RuntimeError):
    """The savepoint holds state of operators this job does not have."""


def start(config: JobConfig, env: TableEnvironment | None = None) -> TableResult:
    """Install the index templates and submit the job; returns without waiting for it."""
    config.check_intervals()
    _install_templates(config)
    env = env or table_environment(config)
    ddl, inserts = statements(config)
    for statement in ddl:
        env.execute_sql(statement)
    statement_set = env.create_statement_set()
    for insert in inserts:
        statement_set.add_insert_sql(insert)
    try:
        return statement_set.execute()
    except Exception as exc:  # py4j wraps the Java exception; its text is all there is
        if config.from_savepoint and "Cannot map checkpoint/savepoint state" in str(exc):
            raise SavepointMismatchError(
                f"the savepoint {config.from_savepoint} holds state of operators this job does "
                "not have: the SQL or the query set changed since it was taken (see "
                "docs/cluster.md, 'Upgrades without losing state'). Run the same queries, or "
                "accept losing the state of the changed ones with --allow-non-restored-state, "
                "or start afresh without --from-savepoint."
            ) from None
        raise


def _install_templates(config: JobConfig) -> None:
    """The first request to Elasticsearch: where wrong credentials or trust show, explained
    before a job is submitted that would only restart on them."""
    from elasticsearch import exceptions as es_errors

    url = config.es_hosts.split(";")[0]
    try:
        es_templates.install_for(config)
    except es_errors.AuthenticationException:
        raise ValueError(
            f"Elasticsearch at {url} refused the credentials of user {config.es_username!r}: "
            "check TWEETFLOW_ES_USERNAME and TWEETFLOW_ES_PASSWORD (or _PASSWORD_FILE)"
        ) from None
    except es_errors.AuthorizationException:
        raise ValueError(
            f"Elasticsearch user {config.es_username!r} may not create tweetflow's index "
            "templates: the job needs the writer role (docs/reliability-and-security.md)"
        ) from None
    except es_errors.SSLError:
        raise ValueError(
            f"Elasticsearch at {url} presented a certificate no trusted CA signed: set "
            "TWEETFLOW_ES_CA_FILE to the PEM file of the CA that did"
        ) from None


def run(config: JobConfig) -> str:
    """Submit the job and block until it ends (bounded) or is cancelled. Returns the job id.

    A PyFlink script that does not wait exits at once and takes the mini-cluster with it."""
    result = start(config)
    client = result.get_job_client()
    job_id = str(client.get_job_id()) if client is not None else ""
    result.wait()
    return job_id


def explain(config: JobConfig) -> str:
    env = table_environment(config)
    ddl, inserts = statements(config)
    for statement in ddl:
        env.execute_sql(statement)
    statement_set = env.create_statement_set()
    for insert in inserts:
        statement_set.add_insert_sql(insert)
    return statement_set.explain()
