"""A single-node Apache Kafka broker in KRaft mode, from the kafka_2.13 artifact."""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path

from tweetflow.stack.errors import StackError
from tweetflow.stack.java import Java
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

    def server_properties(self) -> str:
        s = self.settings
        data = self.home / "data"
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@{s.host}:{s.kafka_controller_port}",
                f"listeners=PLAINTEXT://{s.host}:{s.kafka_port},"
                f"CONTROLLER://{s.host}:{s.kafka_controller_port}",
                f"advertised.listeners=PLAINTEXT://{s.host}:{s.kafka_port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
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
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        result = subprocess.run(
            [
                str(java.executable),
                *logging,
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
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
                bootstrap_servers=self.endpoint,
                request_timeout_ms=3000,
            )
        except (KafkaError, OSError, ValueError):
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        except (KafkaError, OSError):
            return False
        finally:
            admin.close()
