"""A virtual environment of its own for code whose pinned dependencies conflict with
tweetflow's — a benchmark peer (the pins of tweetflow/core/versions.toml, [peers]) or an
earlier revision of tweetflow on another Flink (bench.revisions) — created once under the
cache, reused while the pins and the Python version stay the same."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from tweetflow.core import versions


def python_of(peer: str, cache_dir: Path) -> Path:
    """The interpreter of the peer's environment, installing it on first use."""
    return python_with(peer, versions.load().peers[peer], cache_dir)


def python_with(name: str, pins: list[str], cache_dir: Path) -> Path:
    """The interpreter of an environment holding these requirements, installed on first use."""
    digest = hashlib.sha256("\n".join([sys.version, *pins]).encode()).hexdigest()[:12]
    home = cache_dir / "venvs" / f"{name}-{digest}"
    python = home / "bin" / "python"
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two benchmark runs side by side install once
        if (home / "installed").exists():
            return python
        shutil.rmtree(home, ignore_errors=True)
        venv.create(home, with_pip=True)
        print(f"installing {', '.join(pins)} into {home} (once)", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        (home / "installed").write_text("\n".join(pins) + "\n")
    return python
