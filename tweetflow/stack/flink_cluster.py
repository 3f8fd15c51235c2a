"""A Flink standalone session cluster on this machine: one JobManager and N TaskManagers as
separate JVMs, from the Flink distribution inside the pinned PyFlink package.

The package is used read-only. Flink's own scripts start each process in the foreground
(`jobmanager.sh start-foreground`), pointed by FLINK_CONF_DIR, FLINK_LIB_DIR and FLINK_OPT_DIR
at a configuration and a lib/ of the cluster's own under the state directory: lib/ holds the
package's jars plus the verified connector jars, so jobs and the SQL client find the Kafka and
Elasticsearch connectors without shipping them.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flink_jobs.gateway import pyflink_home
from flink_jobs.runtime import PROMETHEUS_REPORTER
from tweetflow.core import artifacts
from tweetflow.core.errors import StackError
from tweetflow.core.java import Java, find_java
from tweetflow.core.settings import Settings
from tweetflow.stack.process import child_environment
from tweetflow.stack.service import Service, ServiceStatus, link_or_copy


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{"a.b": 1} -> {"a": {"b": 1}}: Flink's config.yaml must not mix both spellings."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class FlinkDistribution:
    """conf/, lib/ and opt/ of the local cluster, under <state>/flink."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.state_dir / "flink"
        self.conf_dir = self.root / "conf"
        self.lib_dir = self.root / "lib"
        self.opt_dir = self.root / "opt"
        self.log_dir = self.root / "log"
        self.checkpoint_dir = self.root / "checkpoints"
        self.savepoint_dir = self.root / "savepoints"

    def configuration(self) -> dict[str, Any]:
        s = self.settings
        # Each process (JobManager, TaskManagers) serves /metrics on the first free port of
        # the range, by the reporter in plugins/ (docs/operating.md).
        reporter = (
            {}
            if not s.flink_metrics_ports
            else {
                "metrics.reporter.prom.factory.class": PROMETHEUS_REPORTER,
                "metrics.reporter.prom.port": s.flink_metrics_ports,
            }
        )
        return reporter | {
            "jobmanager.rpc.address": s.host,
            "jobmanager.rpc.port": s.flink_rpc_port,
            "jobmanager.bind-host": s.host,
            "jobmanager.memory.process.size": s.flink_jobmanager_memory,
            "taskmanager.host": s.host,
            "taskmanager.bind-host": s.host,
            "taskmanager.numberOfTaskSlots": s.flink_slots,
            "taskmanager.memory.process.size": s.flink_taskmanager_memory,
            # The analytics job keeps its state on the heap (hashmap backend); managed memory
            # is only for RocksDB and Python workers, so most of it would sit unused.
            "taskmanager.memory.managed.fraction": 0.1,
            "rest.address": s.host,
            "rest.bind-address": s.host,
            "rest.port": s.flink_rest_port,
            "parallelism.default": s.flink_taskmanagers * s.flink_slots,
            "execution.checkpointing.dir": self.checkpoint_dir.resolve().as_uri(),
            "execution.checkpointing.savepoint-dir": self.savepoint_dir.resolve().as_uri(),
            "io.tmp.dirs": str((self.root / "tmp").resolve()),
            # Python jobs (`flink run --python`) and UDFs run in this interpreter's
            # environment, where tweetflow is installed.
            "python.client.executable": sys.executable,
            "python.executable": sys.executable,
            "table.local-time-zone": "UTC",
            # tweetflow's functions are in lib/ and also shipped with a job submitted from a
            # client (pipeline.jars): two copies of one class, and HASHTAG_SUMMARY's state,
            # read back by Kryo as lib/'s copy, failed the job with a ClassCastException.
            "classloader.parent-first-patterns.additional": "tweetflow.flink.",
        }

    def prepare(self, connector_jars: list[Path], gateway_jars: list[Path]) -> None:
        home = pyflink_home()
        for directory in (self.conf_dir, self.lib_dir, self.opt_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)
        for source in (home / "conf").iterdir():
            if source.name != "config.yaml":
                link_or_copy(source, self.conf_dir / source.name)
        defaults = yaml.safe_load((home / "conf" / "config.yaml").read_text(encoding="utf-8"))
        config = _merge(defaults or {}, _nest(self.configuration()))
        (self.conf_dir / "config.yaml").write_text(
            yaml.safe_dump(config, sort_keys=True), encoding="utf-8"
        )
        wanted_lib = [*sorted((home / "lib").glob("*.jar")), *connector_jars]
        wanted_opt = [*sorted((home / "opt").glob("*.jar")), *gateway_jars]
        for directory, jars in ((self.lib_dir, wanted_lib), (self.opt_dir, wanted_opt)):
            names = {jar.name for jar in jars}
            for stale in directory.glob("*.jar"):
                if stale.name not in names:
                    stale.unlink()
            for jar in jars:
                link_or_copy(jar, directory / jar.name)

    def environment(self, java: Java) -> dict[str, str]:
        env = child_environment()
        env.update(
            JAVA_HOME=str(java.home),
            FLINK_HOME=str(pyflink_home()),
            FLINK_CONF_DIR=str(self.conf_dir),
            FLINK_LIB_DIR=str(self.lib_dir),
            FLINK_OPT_DIR=str(self.opt_dir),
            FLINK_LOG_DIR=str(self.log_dir),
            FLINK_PID_DIR=str(self.root / "run"),
        )
        return env

    def script(self, name: str) -> str:
        return str(pyflink_home() / "bin" / name)


def rest_get(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


class _FlinkProcess(Service):
    def __init__(self, settings: Settings, distribution: FlinkDistribution) -> None:
        super().__init__(settings)
        self.distribution = distribution

    @property
    def rest_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.flink_rest_port}"

    def environment(self, java: Java) -> dict[str, str]:
        env = self.distribution.environment(java)
        # The scripts append their own options to JVM_ARGS; the marker lets `down` find the JVM.
        env["JVM_ARGS"] = " ".join(
            [
                f"-Dtweetflow.service={self.name}",
                f"-Dtweetflow.state={self.settings.state_dir}",
                *self.settings.flink_jvm_options.split(),
            ]
        )
        return env


class FlinkJobManager(_FlinkProcess):
    name = "flink-jobmanager"

    @property
    def endpoint(self) -> str:
        return self.rest_url

    def ports(self) -> dict[str, int]:
        return {
            "TWEETFLOW_FLINK_REST_PORT": self.settings.flink_rest_port,
            "TWEETFLOW_FLINK_RPC_PORT": self.settings.flink_rpc_port,
        }

    def prepare(self, java: Java, jars: Path) -> list[str]:
        return [self.distribution.script("jobmanager.sh"), "start-foreground"]

    def healthy(self) -> bool:
        try:
            return "flink-version" in rest_get(f"{self.rest_url}/config")
        except (OSError, ValueError, urllib.error.URLError):
            return False


class FlinkTaskManager(_FlinkProcess):
    stop_grace_s = 15.0

    def __init__(self, settings: Settings, distribution: FlinkDistribution, index: int) -> None:
        super().__init__(settings, distribution)
        self.name = f"flink-taskmanager-{index}"

    @property
    def resource_id(self) -> str:
        return f"tweetflow-tm-{self.name.rsplit('-', 1)[1]}"

    @property
    def endpoint(self) -> str:
        return f"{self.rest_url}/taskmanagers/{self.resource_id}"

    def ports(self) -> dict[str, int]:
        return {}  # RPC and data ports are chosen by the OS

    def prepare(self, java: Java, jars: Path) -> list[str]:
        return [
            self.distribution.script("taskmanager.sh"),
            "start-foreground",
            "-D",
            f"taskmanager.resource-id={self.resource_id}",
        ]

    def healthy(self) -> bool:
        """Registered with its slots: the slot report follows the registration, and a job
        submitted in between would find the cluster short of slots."""
        try:
            listed = rest_get(f"{self.rest_url}/taskmanagers")["taskmanagers"]
        except (OSError, ValueError, KeyError, urllib.error.URLError):
            return False
        return any(
            tm.get("id") == self.resource_id
            and tm.get("slotsNumber", 0) >= self.settings.flink_slots
            for tm in listed
        )


@dataclass(frozen=True)
class ClusterReport:
    started: tuple[str, ...]
    already_running: tuple[str, ...]
    seconds: float


class FlinkCluster:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.distribution = FlinkDistribution(settings)
        self.jobmanager = FlinkJobManager(settings, self.distribution)
        self.taskmanagers = [
            FlinkTaskManager(settings, self.distribution, i + 1)
            for i in range(settings.flink_taskmanagers)
        ]

    @property
    def services(self) -> list[Service]:
        return [self.jobmanager, *self.taskmanagers]

    @property
    def rest_url(self) -> str:
        return self.jobmanager.rest_url

    @property
    def address(self) -> str:
        """host:port of the REST endpoint, as `job run --jobmanager` and `flink run -m` take it."""
        return f"{self.settings.host}:{self.settings.flink_rest_port}"

    def java(self) -> Java:
        return find_java(self.settings.java_home)

    def up(self) -> ClusterReport:
        began = time.monotonic()
        java = self.java()
        connectors = artifacts.ensure("flink-connectors", self.settings.cache_dir, java.home)
        gateway = artifacts.ensure("flink-sql-gateway", self.settings.cache_dir, java.home)
        # tweetflow's Java functions too: generated code calls them from the cluster's class path.
        from flink_jobs import java_functions

        functions = java_functions.jar(self.settings.cache_dir, java)
        self.distribution.prepare(
            [*sorted(connectors.glob("*.jar")), functions], sorted(gateway.glob("*.jar"))
        )
        started, running = [], []
        # TaskManagers register with a running JobManager, so it goes first.
        (started if self.jobmanager.start(java, self.distribution.lib_dir) else running).append(
            self.jobmanager.name
        )
        with ThreadPoolExecutor(max_workers=len(self.taskmanagers)) as pool:
            launched = {
                tm.name: pool.submit(tm.start, java, self.distribution.lib_dir)
                for tm in self.taskmanagers
            }
        try:
            for name, future in launched.items():
                (started if future.result() else running).append(name)
        except BaseException:
            self.down()
            raise
        return ClusterReport(tuple(started), tuple(running), time.monotonic() - began)

    def down(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def status(self) -> list[ServiceStatus]:
        return [service.status() for service in self.services]

    def overview(self) -> dict[str, Any]:
        try:
            return rest_get(f"{self.rest_url}/overview")
        except (OSError, ValueError, urllib.error.URLError) as exc:
            raise StackError(
                f"the Flink cluster at {self.rest_url} does not answer ({exc}); start it with "
                "`tweetflow cluster up`"
            ) from exc

    def log_files(self) -> dict[str, Path]:
        return {service.name: service.log_file for service in self.services}
