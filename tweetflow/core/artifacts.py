"""Resolve the stack's Java artifacts from Maven Central, verify them, and cache them.

Maven (`mvn`) resolves the transitive dependencies and checks the repository's own
checksums (--strict-checksums); tweetflow then checks every jar against the SHA-256
recorded in artifacts.lock.json, so a changed artifact is refused, never used.
A populated cache is verified and reused without touching the network.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from tweetflow.core import versions
from tweetflow.core.errors import StackError
from tweetflow.core.versions import MavenCoordinate

LOCK_FILE = Path(__file__).with_name("artifacts.lock.json")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
MIN_FREE_BYTES = 1 << 30


@dataclass(frozen=True)
class Component:
    """A set of jars resolved together into one directory."""

    name: str
    dependencies: tuple[MavenCoordinate, ...]
    transitive: bool = True
    exclude_prefixes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Changes whenever the requested coordinates change, so the lock can detect drift."""
        text = ";".join(map(str, self.dependencies)) + f";transitive={self.transitive}"
        if self.exclude_prefixes:
            text += ";exclude=" + ",".join(self.exclude_prefixes)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def components() -> dict[str, Component]:
    v = versions.load()
    kafka_scala_artifact = f"kafka_{v.kafka_scala}"
    return {
        "kafka": Component(
            "kafka",
            (
                MavenCoordinate("org.apache.kafka", kafka_scala_artifact, v.kafka),
                MavenCoordinate("org.apache.logging.log4j", "log4j-core", v.log4j),
                MavenCoordinate("org.apache.logging.log4j", "log4j-slf4j2-impl", v.log4j),
                # The broker's own slf4j 1.7 would win and leave log4j unbound.
                MavenCoordinate("org.slf4j", "slf4j-api", v.slf4j),
            ),
        ),
        "elasticsearch": Component(
            "elasticsearch",
            (
                MavenCoordinate("org.elasticsearch", "elasticsearch", v.elasticsearch),
                MavenCoordinate("org.elasticsearch.plugin", "transport-netty4", v.elasticsearch),
                MavenCoordinate(
                    "org.elasticsearch", "elasticsearch-entitlement-bridge", v.elasticsearch
                ),
            ),
        ),
        "elasticsearch-7": Component(
            "elasticsearch-7",
            (
                MavenCoordinate("org.elasticsearch", "elasticsearch", v.elasticsearch_legacy),
                MavenCoordinate(
                    "org.elasticsearch.plugin", "transport-netty4-client", v.elasticsearch_legacy
                ),
            ),
        ),
        # log4j-core is an optional dependency of the server, and the plugin class loader a jar
        # of the distribution's lib/ only: the node needs both.
        "opensearch": Component(
            "opensearch",
            (
                MavenCoordinate("org.opensearch", "opensearch", v.opensearch),
                MavenCoordinate("org.opensearch", "opensearch-plugin-classloader", v.opensearch),
                MavenCoordinate("org.opensearch.plugin", "transport-netty4-client", v.opensearch),
                MavenCoordinate("org.apache.logging.log4j", "log4j-core", v.opensearch_log4j),
            ),
        ),
        # kafka-producer-perf-test and kafka-consumer-perf-test: benchmarks only, kept off the
        # broker's classpath (they bring Kafka Connect and Jetty along).
        "kafka-tools": Component(
            "kafka-tools",
            (
                MavenCoordinate("org.apache.kafka", "kafka-tools", v.kafka),
                MavenCoordinate("org.apache.logging.log4j", "log4j-slf4j2-impl", v.log4j),
                MavenCoordinate("org.apache.logging.log4j", "log4j-core", v.log4j),
            ),
        ),
        "flink-connectors": Component(
            "flink-connectors",
            (v.kafka_connector,),
            transitive=False,
        ),
        # The Parquet archive's writer: flink-parquet with its parquet-* jars, Hadoop's classes
        # (the Parquet writer is built on them) and snappy-java for the Snappy codec. Flink
        # brings its own logging: the slf4j bindings Hadoop pulls in would clash.
        "flink-parquet": Component(
            "flink-parquet",
            (v.parquet, v.hadoop, v.snappy),
            exclude_prefixes=("slf4j-",),
        ),
        "java-compiler": Component("java-compiler", (v.java_compiler,), transitive=False),
        # The Spark peer of the benchmark: Structured Streaming's Kafka source with the Kafka
        # client; PySpark's own jars already hold Scala, Hadoop, the logging and the codecs.
        "spark-kafka": Component(
            "spark-kafka",
            (v.spark_kafka_connector,),
            exclude_prefixes=(
                "scala-",
                "slf4j-",
                "spark-tags",
                "snappy-",
                "lz4-",
                "zstd-",
                "hadoop-",
                "jsr305",
            ),
        ),
        # The SQL client inside the PyFlink package needs the gateway's classes, which the
        # package does not ship; its own dependencies are all in flink-dist.
        "flink-sql-gateway": Component(
            "flink-sql-gateway",
            (MavenCoordinate("org.apache.flink", "flink-sql-gateway", v.sql_gateway),),
            transitive=False,
        ),
    }


def _pom(component: Component) -> str:
    deps = []
    for dep in component.dependencies:
        exclusions = (
            "<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId>"
            "</exclusion></exclusions>"
            if not component.transitive
            else ""
        )
        deps.append(
            f"<dependency><groupId>{escape(dep.group)}</groupId>"
            f"<artifactId>{escape(dep.artifact)}</artifactId>"
            f"<version>{escape(dep.version)}</version>{exclusions}</dependency>"
        )
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        f"<groupId>tweetflow.stack</groupId><artifactId>{component.name}</artifactId>"
        "<version>1</version><packaging>pom</packaging>"
        f"<dependencies>{''.join(deps)}</dependencies></project>"
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_lock() -> dict[str, dict[str, object]]:
    if not LOCK_FILE.exists():
        return {}
    return json.loads(LOCK_FILE.read_text(encoding="utf-8"))


def _mvn_copy(component: Component, target: Path, java_home: Path | None) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError(
            "Maven (mvn) is needed once to fetch the stack's jars from Maven Central and is not "
            "on PATH. Install it (Debian/Ubuntu: `apt-get install maven`; macOS: `brew install "
            "maven`) and run the command again; later runs use the verified cache."
        )
    env = dict(os.environ)
    if java_home is not None:
        env["JAVA_HOME"] = str(java_home)
    with tempfile.TemporaryDirectory(prefix="tweetflow-mvn-") as tmp:
        pom = Path(tmp) / "pom.xml"
        pom.write_text(_pom(component), encoding="utf-8")
        cmd = [
            mvn,
            "-B",
            "-q",
            "--strict-checksums",
            "-f",
            str(pom),
            f"{DEPENDENCY_PLUGIN}:copy-dependencies",
            f"-DoutputDirectory={target}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    for jar in target.glob("*.jar"):
        if jar.name.startswith(component.exclude_prefixes or ("\0",)):
            jar.unlink()  # a transitive jar that would clash with the runtime's own
    if result.returncode != 0:
        lines = [ln for ln in (result.stdout + result.stderr).splitlines() if "ERROR" in ln]
        detail = "\n".join(lines[:5]) or result.stdout[-2000:]
        raise StackError(
            f"downloading the {component.name} jars from Maven Central failed "
            f"(mvn exit {result.returncode}). Check the network or a proxy in "
            f"~/.m2/settings.xml, then retry.\n{detail}"
        )


def _check_disk(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise StackError(
            f"only {free >> 20} MiB free under {path}; tweetflow needs at least 1 GiB for its "
            "jars and data. Free some space or set TWEETFLOW_CACHE_DIR / TWEETFLOW_STATE_DIR "
            "to a larger disk."
        )


def verify(directory: Path, expected: dict[str, str]) -> list[str]:
    """Problems found, empty when every expected jar is present with its recorded hash."""
    problems = []
    for name, digest in sorted(expected.items()):
        jar = directory / name
        if not jar.exists():
            problems.append(f"{name}: missing")
        elif sha256_of(jar) != digest:
            problems.append(f"{name}: SHA-256 differs from artifacts.lock.json")
    return problems


def ensure(name: str, cache_dir: Path, java_home: Path | None = None) -> Path:
    """The directory holding the verified jars of one component, downloading only if needed."""
    component = components()[name]
    entry = read_lock().get(name)
    if entry is None or entry.get("key") != component.key:
        raise StackError(
            f"artifacts.lock.json has no entry for the {name} jars at the versions in "
            "versions.toml; run `tweetflow stack lock` after changing versions.toml."
        )
    expected: dict[str, str] = entry["sha256"]  # type: ignore[assignment]
    directory = cache_dir / "artifacts" / f"{name}-{component.key}"
    if directory.is_dir() and not verify(directory, expected):
        return directory
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Two commands resolving at once (two test sessions, a stack and a benchmark) must not
    # replace a directory the other already uses: one downloads, the other then reuses.
    with (cache_dir / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if directory.is_dir() and not verify(directory, expected):
            return directory
        return _download(name, component, expected, directory, cache_dir, java_home)


def _download(
    name: str, component: Component, expected: dict[str, str], directory: Path,
    cache_dir: Path, java_home: Path | None,
) -> Path:  # fmt: skip
    _check_disk(cache_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache_dir))
    try:
        _mvn_copy(component, staging, java_home)
        extra = sorted({p.name for p in staging.glob("*.jar")} - set(expected))
        problems = verify(staging, expected) + [f"{x}: not in the lock" for x in extra]
        if problems:
            raise StackError(
                f"the {name} jars from Maven Central do not match artifacts.lock.json; refusing "
                "to use them:\n  " + "\n  ".join(problems)
            )
        if directory.exists():
            shutil.rmtree(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return directory


def write_lock(cache_dir: Path, java_home: Path | None = None) -> dict[str, object]:
    """Resolve every component afresh and record the SHA-256 of each jar (maintainers only)."""
    lock: dict[str, object] = {}
    _check_disk(cache_dir)
    for name, component in components().items():
        with tempfile.TemporaryDirectory(prefix=f".lock-{name}-", dir=cache_dir) as tmp:
            _mvn_copy(component, Path(tmp), java_home)
            lock[name] = {
                "key": component.key,
                "coordinates": [str(d) for d in component.dependencies],
                "sha256": {p.name: sha256_of(p) for p in sorted(Path(tmp).glob("*.jar"))},
            }
    LOCK_FILE.write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return lock
