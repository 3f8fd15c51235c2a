"""A single Elasticsearch 8.19 node from the server jars on Maven Central.

The tar distribution's launcher tools (CLI, entitlement agent, ANSI console) are not published
to Maven Central, only the server, its modules' jars and the entitlement bridge. What the
missing tools do for a node is small, and tweetflow does it (tweetflow/stack/java/, compiled by
the pinned ecj on first start):
- the CLI hands the server its arguments on standard input: `Launcher`, which then keeps that
  input open, since the server stops when it closes;
- the server attaches an entitlement agent to itself, which only calls back into the server's
  entitlement module with the Instrumentation: `EntitlementAgent`;
- the server loads an ANSI console from lib/tools/ansi-console/: a stub without a console.
The server runs on the module path, as its own launcher puts it; the entitlement bridge is
patched into java.base. JNA is unloadable as for 7.17 (no native features, no refusal to run
as root). Only the HTTP module (transport-netty4) is installed: no root endpoint (`GET /`, a
module not published), no aggregations module (the dashboards' terms aggregations are in the
server), no painless.
"""

from __future__ import annotations

import fcntl
import zipfile
from pathlib import Path

from tweetflow.core import versions
from tweetflow.core.java import Java
from tweetflow.stack.elasticsearch import HTTP_MODULE, LOG4J2_PROPERTIES, Elasticsearch
from tweetflow.stack.service import link_or_copy

BRIDGE = "elasticsearch-entitlement-bridge-"
ROOT_MODULE = "tweetflow-root"
# Where the server looks for the tools it loads itself, under lib/.
TOOL_DIRECTORIES = {"entitlement-agent": "agent.jar", "tools/ansi-console": "ansi-console.jar"}
SOURCES = Path(__file__).resolve().with_name("java")


class Elasticsearch8(Elasticsearch):
    artifact = "elasticsearch"

    def version(self) -> str:
        return versions.load().elasticsearch

    def _jar_directory(self, home: Path, jar: str) -> Path:
        if jar.startswith(BRIDGE):
            return home / "lib" / "entitlement-bridge"  # patched into java.base, not a module
        return super()._jar_directory(home, jar)

    def _describe_http_module(self, module: Path, jars: Path) -> None:
        """The descriptor and entitlement policy the module's jar carries for the distribution."""
        plugin = next(jars.glob(f"{HTTP_MODULE}-*.jar"))
        with zipfile.ZipFile(plugin) as archive:
            for name in ("plugin-descriptor.properties", "entitlement-policy.yaml"):
                data = archive.read(f"META-INF/es-plugins/{HTTP_MODULE}/{name}")
                (module / name).write_bytes(data)

    def _tools(self, java: Java, home: Path, jars: Path) -> Path:
        """The launcher on the class path; the agent and console stub where the server looks."""
        version = self.version()
        tools = self.settings.cache_dir / "elasticsearch-tools" / version
        launcher = tools / "launcher.jar"
        if not launcher.exists():
            tools.mkdir(parents=True, exist_ok=True)
            with (tools / ".lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # stacks starting side by side build once
                if not launcher.exists():
                    _build_tools(tools, java, jars, self.settings.cache_dir)
        for directory, jar in TOOL_DIRECTORIES.items():
            (home / "lib" / directory).mkdir(parents=True, exist_ok=True)
            link_or_copy(tools / jar, home / "lib" / directory / jar)
        root = home / "modules" / ROOT_MODULE
        root.mkdir(parents=True, exist_ok=True)
        link_or_copy(tools / "root-endpoint.jar", root / "root-endpoint.jar")
        (root / "plugin-descriptor.properties").write_text(
            "description=GET / of the node (the distribution's rest-root module is not on Maven"
            f" Central)\nversion={version}\nname={ROOT_MODULE}\n"
            "classname=tweetflow.stack.elasticsearch.RootEndpointPlugin\n"
            f"java.version=17\nelasticsearch.version={version}\n",
            encoding="utf-8",
        )
        return launcher

    def prepare(self, java: Java, jars: Path) -> list[str]:
        home = self._lay_out_home(jars)
        config = home / "config"
        # Written for whoever reads the node's configuration; the launcher passes the same.
        (config / "elasticsearch.yml").write_text(self.elasticsearch_yml(), encoding="utf-8")
        (config / "log4j2.properties").write_text(LOG4J2_PROPERTIES, encoding="utf-8")
        for directory in ("data", "logs", "tmp", "no-native"):
            (self.home / directory).mkdir(exist_ok=True)
        launcher = self._tools(java, home, jars)
        bridge = next((home / "lib" / "entitlement-bridge").glob("*.jar"))
        heap = self.settings.es_heap
        return [
            str(java.executable), f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError",
            # Outside the node's home: a temporary directory under it breaks the entitlement
            # policy's rule that nothing under plugins/ or modules/ is read by path.
            f"-Djava.io.tmpdir={self.home / 'tmp'}",
            f"-Des.path.home={home}", f"-Des.path.conf={config}",
            "-Des.distribution.type=tar", "-Des.bundled_jdk=false",
            "-Dlog4j2.formatMsgNoLookups=true", "-Dlog4j2.disable.jmx=true",
            "-Djna.nosys=true", "-Djna.nounpack=true", "-Djna.noclasspath=true",
            f"-Djna.boot.library.path={self.home / 'no-native'}",
            "-Dio.netty.noUnsafe=true", "-Dio.netty.noKeySetOptimization=true",
            "-Dio.netty.recycler.maxCapacityPerThread=0",
            "-Djdk.attach.allowAttachSelf=true",
            f"--patch-module=java.base={bridge}",
            "--add-exports=java.base/org.elasticsearch.entitlement.bridge="
            "org.elasticsearch.entitlement,ALL-UNNAMED",
            "--add-opens=org.elasticsearch.server/org.elasticsearch.bootstrap=ALL-UNNAMED",
            "--add-modules=jdk.net", "--add-modules=ALL-MODULE-PATH",
            f"--module-path={home / 'lib'}",
            *self.marker(),
            "-cp", str(launcher), "tweetflow.stack.elasticsearch.Launcher",
            *(f"{key}={_text(value)}" for key, value in self.node_settings().items()),
        ]  # fmt: skip

    def marker(self) -> list[str]:
        from tweetflow.stack import process

        return process.marker_args(self.name, self.settings.state_dir)


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _build_tools(tools: Path, java: Java, jars: Path, cache_dir: Path) -> None:
    from flink_jobs.java_functions import compile_java

    classes = tools / "classes"
    compile_java(
        sorted(SOURCES.rglob("*.java")), sorted(jars.glob("*.jar")), classes, cache_dir, java,
        "the Elasticsearch launcher",
    )  # fmt: skip
    package = "tweetflow/stack/elasticsearch/"
    agent = (
        f"Agent-Class: {package.replace('/', '.')}EntitlementAgent\r\n"
        "Can-Redefine-Classes: true\r\nCan-Retransform-Classes: true\r\n"
    )
    _jar(tools / "agent.jar", classes, package + "EntitlementAgent", agent)
    _jar(tools / "ansi-console.jar", classes, "org/elasticsearch/io/ansi/", "")
    _jar(tools / "root-endpoint.jar", classes, package + "RootEndpoint", "")
    # Last: its presence says the tools are built.
    _jar(tools / "launcher.jar", classes, package + "Launcher", "")


def _jar(target: Path, classes: Path, prefix: str, manifest: str) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", f"Manifest-Version: 1.0\r\n{manifest}\r\n")
        for path in sorted(classes.rglob("*.class")):
            name = path.relative_to(classes).as_posix()
            if name.startswith(prefix):
                archive.write(path, name)
