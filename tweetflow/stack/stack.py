"""The local stack as a whole: `up` is idempotent, `down` leaves no process behind."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tweetflow.core import artifacts
from tweetflow.core.java import Java, find_java
from tweetflow.core.settings import Settings
from tweetflow.stack import process
from tweetflow.stack.elasticsearch import Elasticsearch, OpenSearch
from tweetflow.stack.elasticsearch8 import Elasticsearch8
from tweetflow.stack.es_gateway_service import ElasticsearchGateway
from tweetflow.stack.kafka import Kafka
from tweetflow.stack.prometheus import Prometheus
from tweetflow.stack.service import Service, ServiceStatus

if TYPE_CHECKING:
    from flink_jobs.config import JobConfig


@dataclass(frozen=True)
class UpReport:
    started: tuple[str, ...]
    already_running: tuple[str, ...]
    seconds: float
    connector_jars: tuple[Path, ...]


NODES = {"8": Elasticsearch8, "7": Elasticsearch, "opensearch": OpenSearch}


def elasticsearch_node(settings: Settings) -> Elasticsearch:
    """The local node of the line TWEETFLOW_ES_LINE names (Settings checked it is one)."""
    return NODES[settings.es_line](settings)


class LocalStack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.services: dict[str, Service] = {
            "kafka": Kafka(settings),
            "elasticsearch": elasticsearch_node(settings),
        }
        if settings.es_security == "tls":
            self.services["es-gateway"] = ElasticsearchGateway(settings)
        prometheus = Prometheus(settings)
        if settings.prometheus == "on" or prometheus.pids():  # `down` stops it either way
            self.services["prometheus"] = prometheus

    def java(self) -> Java:
        return find_java(self.settings.java_home)

    def connector_jars(self, java: Java | None = None) -> list[Path]:
        """The verified Flink SQL connector jars (Kafka, Elasticsearch) for PyFlink."""
        java = java or self.java()
        directory = artifacts.ensure("flink-connectors", self.settings.cache_dir, java.home)
        return sorted(directory.glob("*.jar"))

    def archive_jars(self, java: Java | None = None) -> tuple[Path, ...]:
        """The verified Parquet writer jars, for jobs that archive."""
        java = java or self.java()
        directory = artifacts.ensure("flink-parquet", self.settings.cache_dir, java.home)
        return tuple(sorted(directory.glob("*.jar")))

    def functions_jar(self, java: Java) -> Path:
        """tweetflow's Java SQL functions (flink_jobs/java/): the copy built into tweetflow's
        Flink image (FLINK_HOME/lib), else compiled here on first use."""
        from flink_jobs import java_functions

        flink_home = os.environ.get("FLINK_HOME", "")
        built = sorted(Path(flink_home, "lib").glob(f"{java_functions.JAR_PREFIX}*.jar"))
        if flink_home and built:
            return built[0]
        return java_functions.jar(self.settings.cache_dir, java)

    def job_connector_jars(self, java: Java) -> tuple[Path, ...]:
        """Jars the job ships; none when FLINK_HOME is a Flink installation that already has the
        connectors in lib/ (tweetflow's Flink image), so no download is needed there."""
        flink_home = os.environ.get("FLINK_HOME", "")
        if flink_home and any(Path(flink_home, "lib").glob("flink-sql-connector-kafka*.jar")):
            return ()
        return tuple(self.connector_jars(java))

    @property
    def lock_file(self) -> Path:
        return self.settings.state_dir / "stack.lock"

    def up(self, on_wait: Callable[[], None] | None = None) -> UpReport:
        with process.exclusive(self.lock_file, on_wait):
            return self._up()

    def _up(self) -> UpReport:
        began = time.monotonic()
        java = self.java()
        jars = {name: self._artifacts(name, java) for name in self.services}
        connectors = self.connector_jars(java)
        # The services do not depend on each other: start them side by side.
        with ThreadPoolExecutor(max_workers=len(self.services)) as pool:
            launched = {
                name: pool.submit(service.start, java, jars[name])
                for name, service in self.services.items()
            }
        started, running = [], []
        for name, future in launched.items():
            (started if future.result() else running).append(name)
        return UpReport(tuple(started), tuple(running), time.monotonic() - began, tuple(connectors))

    def start_service(self, name: str) -> bool:
        """Start one service unless it runs (after a crash); True when it was started."""
        java = self.java()
        return self.services[name].start(java, self._artifacts(name, java))

    def _artifacts(self, name: str, java: Java) -> Path:
        """The service's verified jars; the cache directory for one without any."""
        component = getattr(self.services[name], "artifact", name)
        if component is None:
            return self.settings.cache_dir
        return artifacts.ensure(component, self.settings.cache_dir, java.home)

    def down(self) -> None:
        with process.exclusive(self.lock_file):
            for service in reversed(list(self.services.values())):
                service.stop()

    def status(self) -> list[ServiceStatus]:
        return [service.status() for service in self.services.values()]

    def job_config(self, archive: bool = False) -> JobConfig:
        """The analytics job's configuration for this stack: its addresses and credentials,
        the jars it ships (the Parquet writer's too with `archive`), its checkpoints and logs
        under the state directory. Callers change it with dataclasses.replace."""
        from flink_jobs.config import JobConfig

        java = self.java()
        settings = self.settings
        connectors = self.job_connector_jars(java)
        return replace(
            JobConfig.from_settings(settings),
            connector_jars=(*connectors, *(self.archive_jars(java) if archive else ())),
            functions_jar=self.functions_jar(java),
            checkpoint_dir=settings.checkpoint_dir,
            log_dir=settings.state_dir / "logs" / "flink",
            java_home=java.home,
        )

    def log_files(self) -> dict[str, Path]:
        return {name: service.log_file for name, service in self.services.items()}
