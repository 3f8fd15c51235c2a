"""Running the job: the PyFlink gateway's environment, the table environment, submission.

All INSERTs go into one statement set: one job, one read of the Kafka topic.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from flink_jobs import es_templates, gateway, heap_guard
from flink_jobs.config import JobConfig
from flink_jobs.render import session_options, statements
from tweetflow.core import reachable

if TYPE_CHECKING:
    from pyflink.table import StatementSet, TableEnvironment, TableResult

GARBAGE_COLLECTOR = re.compile(r"-XX:\+Use\w+GC\b")
PROMETHEUS_REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"


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
    from flink_jobs.gateway import pyflink_home

    if config.functions_jar is not None:
        reporter = (java_functions.prometheus_reporter(),) if config.reports_metrics else ()
        lib = java_functions.lib_dir(java_functions.flink_lib(), config.functions_jar, *reporter)
        # Else PyFlink resets FLINK_LIB_DIR.
        os.environ.setdefault("FLINK_HOME", str(pyflink_home()))
        os.environ["FLINK_LIB_DIR"] = str(lib)
    if config.es_ca_file:
        # The Elasticsearch connector trusts the JVM's trust store: the JDK's CAs plus this one.
        from tweetflow.core import tls

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
    if config.reports_metrics:  # the mini-cluster's reporters start with it
        options |= {
            "metrics.reporter.prom.factory.class": PROMETHEUS_REPORTER,
            "metrics.reporter.prom.port": config.metrics_ports,
        }
    if config.from_savepoint:
        options["execution.state-recovery.path"] = config.from_savepoint
        if config.allow_non_restored_state:
            options["execution.state-recovery.ignore-unclaimed-state"] = "true"
    return options


def table_environment(config: JobConfig) -> TableEnvironment:
    _prepare_gateway_environment(config)
    gateway.start(config.log_dir)  # its output goes to the log, never onto the terminal
    from pyflink.common import Configuration
    from pyflink.table import EnvironmentSettings, TableEnvironment

    submission = Configuration()
    for key, value in _submission_configuration(config).items():
        submission.set_string(key, value)
    settings = EnvironmentSettings.new_instance().in_streaming_mode()
    with _python_workers_on_the_cluster(bool(config.jobmanager)):
        env = TableEnvironment.create(settings.with_configuration(submission).build())
    conf = env.get_config()
    jars = [*config.connector_jars, *filter(None, [config.functions_jar])]
    if jars:
        conf.set("pipeline.jars", ";".join(p.resolve().as_uri() for p in jars))
    cluster = None
    if config.jobmanager:  # submitted from here: what the cluster's REST endpoint reported
        cluster = dict(config.cluster_options)
    elif config.on_cluster:  # launched on the cluster, with its configuration
        cluster = _launcher_options(env)
    for key, value in session_options(config, cluster).items():
        conf.set(key, value)
    return env


@contextlib.contextmanager
def _python_workers_on_the_cluster(remote: bool) -> Iterator[None]:
    """PyFlink decides at the environment's creation whether the UDF's Python workers call back
    into this process (its "loopback" mode, meant for the mini-cluster) and asks for it unless
    the JVM's own target is remote. Submitted to a cluster from `job run --jobmanager`, which
    exits once the job runs, that address soon refuses connections and the job restarts
    forever: the workers must be processes the TaskManagers start themselves."""
    variable = "_python_worker_execution_mode"  # PyFlink's switch (pyflink/table)
    saved = os.environ.get(variable)
    if remote:
        os.environ[variable] = "process"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = saved


def _launcher_options(env: TableEnvironment) -> dict[str, str]:
    """The configuration PyFlink was started with: on a cluster (`flink run`, the Kubernetes
    operator's PythonDriver) the cluster's own, from its configuration file."""
    root = env.get_config()._j_table_config.getRootConfiguration()
    return {str(k): str(v) for k, v in dict(root.toMap()).items()}


class SavepointMismatchError(RuntimeError):
    """The savepoint holds state of operators this job does not have."""


def start(config: JobConfig, env: TableEnvironment | None = None) -> TableResult:
    """Install the index templates and submit the job; returns without waiting for it. Kafka
    and Elasticsearch must answer first: a job without them starts, says nothing and waits."""
    config.check_intervals()
    try:
        reachable.kafka(config.kafka_bootstrap)
        reachable.elasticsearch(config.es_hosts)
    except reachable.Unreachable as exc:
        raise ValueError(str(exc)) from None
    _install_templates(config)
    statement_set = _statement_set(env or table_environment(config), config)
    try:
        return statement_set.execute()
    except Exception as exc:  # py4j wraps the Java exception; its text is all there is
        if config.from_savepoint and "Cannot map checkpoint/savepoint state" in str(exc):
            raise SavepointMismatchError(
                f"the savepoint {config.from_savepoint} holds state of operators this job does "
                "not have: the SQL or the query set changed since it was taken (see "
                "docs/cluster.md, 'Upgrades without losing state'). Run the same queries, or "
                "accept losing the state of the changed ones with --allow-non-restored-state, "
                "or start afresh without --from-savepoint. A savepoint of Flink 1.x (tweetflow "
                "before 2026-12-07) never restores: start afresh (docs/cluster.md, 'Upgrading "
                "from Flink 1.20')."
            ) from None
        raise


def _install_templates(config: JobConfig) -> None:
    """The first request to Elasticsearch: where wrong credentials or trust show, explained
    before a job is submitted that would only restart on them."""
    from elasticsearch import exceptions as es_errors

    url = config.es_hosts.split(";")[0]
    who = f"user {config.es_username!r}" if config.es_username else "the API key"
    try:
        es_templates.install_for(config)
    except es_errors.AuthenticationException:
        check = (
            "TWEETFLOW_ES_USERNAME and TWEETFLOW_ES_PASSWORD (or _PASSWORD_FILE)"
            if config.es_username
            else "TWEETFLOW_ES_API_KEY (or _API_KEY_FILE): the encoded key"
        )
        raise ValueError(
            f"Elasticsearch at {url} refused the credentials of {who}: check {check}"
        ) from None
    except es_errors.AuthorizationException:
        raise ValueError(
            f"Elasticsearch {who} may not create tweetflow's index templates: the job needs "
            "the writer role (docs/reliability-and-security.md)"
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
    wait(config, result)
    return job_id


def wait(config: JobConfig, result: TableResult) -> None:
    """Block until the job ends (bounded) or is cancelled, the heap guard watching the
    mini-cluster meanwhile: its warnings go to stderr."""
    with heap_guard.watching(config, lambda text: print(text, file=sys.stderr, flush=True)):
        result.wait()


def explain(config: JobConfig) -> str:
    return _statement_set(table_environment(config), config).explain()


def _statement_set(env: TableEnvironment, config: JobConfig) -> StatementSet:
    """The tables and views created in `env`, and every INSERT in one statement set."""
    ddl, inserts = statements(config)
    for statement in ddl:
        env.execute_sql(statement)
    statement_set = env.create_statement_set()
    for insert in inserts:
        statement_set.add_insert_sql(insert)
    return statement_set
