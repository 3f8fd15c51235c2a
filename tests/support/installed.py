"""tweetflow as users install it: a wheel built from the checkout, installed with its
dependencies into a fresh virtualenv outside it, and an environment that points nowhere into
the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tweetflow.stack.process import child_environment

REPOSITORY = Path(__file__).resolve().parents[2]


def build_wheel(out: Path) -> Path:
    """`pip wheel .` on a copy of the checkout's files (tracked and new, not ignored ones): a
    build/ left in the checkout could carry modules that no longer exist into the wheel."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    source = out / "source"
    for name in filter(None, listed):
        origin, copy = REPOSITORY / name, source / name
        if not origin.exists() and not origin.is_symlink():
            continue  # deleted, not yet committed
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            copy.symlink_to(os.readlink(origin))
        else:
            shutil.copy2(origin, copy)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), "."],
        cwd=source,
        check=True,
        timeout=300,
    )
    return next(out.glob("tweetflow-*.whl"))


def install(wheel: Path, venv: Path) -> Path:
    """A fresh virtualenv at `venv` with the wheel and its dependencies from the index."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)],
        cwd=venv.parent,
        check=True,
        timeout=900,
    )
    return venv


def user_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without anything that points into the checkout, nor what
    an embedded job's Python workers left in it (PyFlink's loopback variables)."""
    env = {k: v for k, v in child_environment().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPOSITORY))
    )
    return env | extra
