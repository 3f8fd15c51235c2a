"""A Java test driver (tests/java/) compiled against tweetflow's functions and Flink, run as a
process of its own: stdin in, stdout out. Needs a JVM, not the stack."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from flink_jobs import java_functions
from tweetflow.core.java import find_java
from tweetflow.core.settings import Settings

JAVA_DIR = Path(__file__).resolve().parents[1] / "java"


def compiled(name: str, classes: Path) -> Callable[[list[str], str], str]:
    """tests/java/<name>.java compiled into `classes`; run(args, stdin) gives its stdout."""
    settings = Settings()
    java = find_java(settings.java_home)
    classpath = [java_functions.jar(settings.cache_dir, java), *java_functions.flink_classpath()]
    java_functions.compile_java(
        [JAVA_DIR / f"{name}.java"], classpath, classes, settings.cache_dir, java, name
    )

    def run(args: list[str], stdin: str) -> str:
        done = subprocess.run(
            [str(java.executable), "-Xmx512m", "-cp", ":".join(map(str, [classes, *classpath])),
             name, *args],
            input=stdin, capture_output=True, text=True, timeout=300, check=True,
        )  # fmt: skip
        return done.stdout

    return run
