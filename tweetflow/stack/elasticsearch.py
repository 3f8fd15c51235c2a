"""A single Elasticsearch 7.17 node from the server jar on Maven Central (TWEETFLOW_ES_LINE=7),
and OpenSearch 2.19 (=opensearch), which starts the same way; 8.19 is elasticsearch8.py.

The official server jar runs with its own bootstrap (`org.elasticsearch.bootstrap.Elasticsearch`)
over a home directory laid out as the tar distribution would be, with only the HTTP module
(transport-netty4) installed: the pipeline, the dashboards' queries and the tests need nothing
else. JNA's native part is deliberately unloadable: Elasticsearch then skips native features
(mlockall, seccomp) and its refusal to run as root, which CI machines are.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from tweetflow.core import versions
from tweetflow.core.java import Java
from tweetflow.stack.service import Service, link_or_copy

HTTP_MODULE = "transport-netty4"

# The same grants as the module's plugin-security.policy in the official distribution.
HTTP_MODULE_POLICY = """\
grant codeBase "${codebase.netty-common}" {
   permission java.io.FilePermission "/proc/sys/net/core/somaxconn", "read";
   permission java.net.SocketPermission "*", "accept,connect";
   permission java.lang.RuntimePermission "setContextClassLoader";
};
grant codeBase "${codebase.netty-transport}" {
   permission java.util.PropertyPermission "sun.nio.ch.bugLevel", "write";
};
"""

LOG4J2_PROPERTIES = """\
status = error
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %marker%m%n
rootLogger.level = info
rootLogger.appenderRef.console.ref = console
logger.natives.name = org.elasticsearch.bootstrap.Natives
logger.natives.level = error
logger.opensearch_natives.name = org.opensearch.bootstrap.Natives
logger.opensearch_natives.level = error
"""


class Elasticsearch(Service):
    name = "elasticsearch"
    artifact = "elasticsearch-7"
    # What differs between Elasticsearch 7.17 and OpenSearch 2.19, which forked from 7.10.
    product = "elasticsearch"
    main_class = "org.elasticsearch.bootstrap.Elasticsearch"
    http_plugin_class = "org.elasticsearch.transport.Netty4Plugin"
    # This embedded node's shutdown hook stalls closing its Netty event loops. Every write it
    # acknowledged is already fsynced to the translog (index.translog.durability=request),
    # so a SIGKILL after a short grace loses nothing; recovery replays the translog.
    stop_grace_s = 8.0

    @property
    def endpoint(self) -> str:
        return self.settings.es_node_url

    def ports(self) -> dict[str, int]:
        port = "TWEETFLOW_ES_NODE_PORT" if self.settings.es_security else "TWEETFLOW_ES_PORT"
        return {
            port: int(self.settings.es_node_url.rsplit(":", 1)[1]),
            "TWEETFLOW_ES_TRANSPORT_PORT": self.settings.es_transport_port,
        }

    def node_settings(self) -> dict[str, object]:
        s = self.settings
        return {
            "cluster.name": "tweetflow",
            "node.name": "tweetflow-local",
            "network.host": s.host,
            "http.port": int(s.es_node_url.rsplit(":", 1)[1]),
            "transport.port": s.es_transport_port,
            "discovery.type": "single-node",
            "path.data": str(self.home / "data"),
            "path.logs": str(self.home / "logs"),
            # A development node on a shared disk: never flip indexes to read-only
            # because the disk is 90% full.
            "cluster.routing.allocation.disk.threshold_enabled": False,
        }

    def elasticsearch_yml(self) -> str:
        settings = self.node_settings()
        return "".join(f"{key}: {json.dumps(value)}\n" for key, value in settings.items())

    def _lay_out_home(self, jars: Path) -> Path:
        home = self.home / "home"
        module = home / "modules" / HTTP_MODULE
        for directory in (home / "lib", module, home / "plugins", home / "config"):
            directory.mkdir(parents=True, exist_ok=True)
        for jar in sorted(jars.glob("*.jar")):
            directory = self._jar_directory(home, jar.name)
            directory.mkdir(exist_ok=True)
            link_or_copy(jar, directory / jar.name)
        self._describe_http_module(module, jars)
        return home

    def _jar_directory(self, home: Path, jar: str) -> Path:
        """Where the distribution keeps the jar: the HTTP module's or the server's."""
        if jar.startswith(("netty-", f"{HTTP_MODULE}-")):
            return home / "modules" / HTTP_MODULE
        return home / "lib"

    def _describe_http_module(self, module: Path, jars: Path) -> None:
        version = self.version()
        (module / "plugin-descriptor.properties").write_text(
            "description=Netty 4 based HTTP transport\n"
            f"version={version}\nname={HTTP_MODULE}\n"
            f"classname={self.http_plugin_class}\n"
            f"java.version=1.8\n{self.product}.version={version}\n"
            "extended.plugins=\nhas.native.controller=false\n",
            encoding="utf-8",
        )
        (module / "plugin-security.policy").write_text(HTTP_MODULE_POLICY, encoding="utf-8")

    def version(self) -> str:
        return versions.load().elasticsearch_legacy

    def prepare(self, java: Java, jars: Path) -> list[str]:
        home = self._lay_out_home(jars)
        config = home / "config"
        (config / f"{self.product}.yml").write_text(self.elasticsearch_yml(), encoding="utf-8")
        (config / "log4j2.properties").write_text(LOG4J2_PROPERTIES, encoding="utf-8")
        for directory in ("data", "logs", "tmp"):
            (self.home / directory).mkdir(exist_ok=True)
        prefix = "es" if self.product == "elasticsearch" else self.product
        options = [
            f"-D{prefix}.path.home={home}",
            f"-D{prefix}.path.conf={config}",
            f"-D{prefix}.distribution.flavor=oss",
            f"-D{prefix}.distribution.type=tar",
            f"-D{prefix}.bundled_jdk=false",
            "-Dlog4j2.formatMsgNoLookups=true",
            "-Dlog4j2.disable.jmx=true",
            "-Djna.nosys=true",
            "-Djna.nounpack=true",
            "-Djna.noclasspath=true",
            f"-Djna.boot.library.path={self.home / 'no-native'}",
            "-Dio.netty.noUnsafe=true",
            "-Dio.netty.noKeySetOptimization=true",
            "-Dio.netty.recycler.maxCapacityPerThread=0",
        ]
        if java.major >= 18:
            options.append("-Djava.security.manager=allow")
        command = self.java_command(
            java,
            self.settings.es_heap,
            f"{home / 'lib'}/*",
            self.main_class,
        )
        return command[:-3] + options + command[-3:]

    def environment(self, java: Java) -> dict[str, str]:
        env = super().environment(java)
        env["ES_TMPDIR"] = env["OPENSEARCH_TMPDIR"] = str(self.home / "tmp")
        env["LIBFFI_TMPDIR"] = str(self.home / "tmp")
        return env

    def healthy(self) -> bool:
        url = f"{self.endpoint}/_cluster/health?wait_for_status=yellow&timeout=1s"
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                body = json.load(response)
        except (urllib.error.URLError, OSError, ValueError):
            return False
        return body.get("status") in ("green", "yellow")


class OpenSearch(Elasticsearch):
    artifact = "opensearch"
    product = "opensearch"
    main_class = "org.opensearch.bootstrap.OpenSearch"
    http_plugin_class = "org.opensearch.transport.Netty4Plugin"

    def version(self) -> str:
        return versions.load().opensearch
