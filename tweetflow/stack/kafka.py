"""A single-node Apache Kafka broker in KRaft mode, from the kafka_2.13 artifact."""

from __future__ import annotations

import base64
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

from tweetflow.core import tls
from tweetflow.core.errors import StackError
from tweetflow.core.java import Java
from tweetflow.core.kafka_security import client_security
from tweetflow.stack.service import Service

LOG4J2_YAML = """\
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: org.apache.kafka.controller
        level: WARN
"""


def new_cluster_id(draw: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A KRaft cluster id drawn as Kafka's own `Uuid.randomUuid` draws it.

    Kafka's rule matters here: an id whose base64 starts with "-" (1 draw in 64) reads as an
    option on StorageTool's command line, so such ids, and the all-zero one, are drawn again.
    """
    while True:
        raw = draw()
        cluster_id = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if not cluster_id.startswith("-") and raw != bytes(16):
            return cluster_id


class Kafka(Service):
    name = "kafka"

    @property
    def endpoint(self) -> str:
        return self.settings.kafka_bootstrap

    def ports(self) -> dict[str, int]:
        return {
            "TWEETFLOW_KAFKA_PORT": self.settings.kafka_port,
            "TWEETFLOW_KAFKA_CONTROLLER_PORT": self.settings.kafka_controller_port,
        }

    def client_listener(self) -> list[str]:
        """The listener clients use: PLAINTEXT, or SASL_SSL (PLAIN) when the TWEETFLOW_KAFKA_*
        security variables ask for it; the broker then accepts nothing else from clients."""
        s = self.settings
        security = client_security()
        protocol = str(security.get("security_protocol", "PLAINTEXT")).upper()
        if protocol == "PLAINTEXT":
            return [
                f"listeners=PLAINTEXT://{s.host}:{s.kafka_port},"
                f"CONTROLLER://{s.host}:{s.kafka_controller_port}",
                f"advertised.listeners=PLAINTEXT://{s.host}:{s.kafka_port}",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            ]
        mechanism = str(security.get("sasl_mechanism", "PLAIN")).upper()
        user, password = security.get("sasl_plain_username"), security.get("sasl_plain_password")
        if protocol != "SASL_SSL" or mechanism != "PLAIN" or not user or not password:
            raise StackError(
                "the local Kafka runs PLAINTEXT, or SASL_SSL with the PLAIN mechanism: set "
                "TWEETFLOW_KAFKA_SECURITY_PROTOCOL=SASL_SSL, TWEETFLOW_KAFKA_SASL_MECHANISM=PLAIN, "
                "TWEETFLOW_KAFKA_SASL_USERNAME and TWEETFLOW_KAFKA_SASL_PASSWORD(_FILE)"
            )
        ca, server = tls.ensure(s.state_dir / "tls", s.host)
        # The broker's own login (it talks to itself over this listener) and the one user.
        jaas = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f"username={_quoted(user)} password={_quoted(password)} "
            f"user_{user}={_quoted(password)};"
        )
        return [
            f"listeners=SASL_SSL://{s.host}:{s.kafka_port},"
            f"CONTROLLER://{s.host}:{s.kafka_controller_port}",
            f"advertised.listeners=SASL_SSL://{s.host}:{s.kafka_port}",
            "inter.broker.listener.name=SASL_SSL",
            "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
            "sasl.enabled.mechanisms=PLAIN",
            "sasl.mechanism.inter.broker.protocol=PLAIN",
            "listener.name.sasl_ssl.plain.sasl.jaas.config=" + _escape_property(jaas),
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={server}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={ca}",
        ]

    def server_properties(self) -> str:
        s = self.settings
        data = self.home / "data"
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@{s.host}:{s.kafka_controller_port}",
                *self.client_listener(),
                "controller.listener.names=CONTROLLER",
                f"log.dirs={data}",
                f"num.partitions={s.topic_partitions}",
                # One broker: internal topics cannot have more than one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "",
            ]
        )

    def prepare(self, java: Java, jars: Path) -> list[str]:
        config = self.home / "config"
        config.mkdir(parents=True, exist_ok=True)
        (self.home / "tmp").mkdir(exist_ok=True)
        properties = config / "server.properties"
        properties.touch(mode=0o600)  # it holds the broker's password when SASL is on
        properties.chmod(0o600)
        properties.write_text(self.server_properties(), encoding="utf-8")
        log_config = config / "log4j2.yaml"
        log_config.write_text(LOG4J2_YAML, encoding="utf-8")
        classpath = f"{jars}/*"
        logging = [f"-Dlog4j2.configurationFile={log_config}", f"-Dkafka.logs.dir={self.home}"]
        if not (self.home / "data" / "meta.properties").exists():
            self._format(java, classpath, logging, properties)
        command = self.java_command(java, self.settings.kafka_heap, classpath, "kafka.Kafka")
        return command[:-3] + logging + command[-3:] + [str(properties)]

    def _format(self, java: Java, classpath: str, logging: list[str], properties: Path) -> None:
        result = subprocess.run(
            [
                str(java.executable),
                *logging,
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                f"--cluster-id={new_cluster_id()}",
                "-c",
                str(properties),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            raise StackError(
                f"formatting Kafka's storage in {self.home / 'data'} failed:\n"
                f"{(result.stdout + result.stderr)[-1500:]}"
            )

    def healthy(self) -> bool:
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self.endpoint, request_timeout_ms=3000, **client_security()
            )
        except (KafkaError, OSError, ValueError):
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        except (KafkaError, OSError):
            return False
        finally:
            admin.close()


def _quoted(value: str) -> str:
    """A JAAS option value: double-quoted, backslashes and quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _escape_property(value: str) -> str:
    """A value as a Java .properties file reads it back unchanged."""
    return value.replace("\\", "\\\\")
