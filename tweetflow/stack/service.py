"""What every service of the local stack has in common: files, start, health, stop."""

from __future__ import annotations

import os
import shutil
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from tweetflow.core.java import Java
from tweetflow.core.settings import Settings
from tweetflow.stack import process


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    healthy: bool
    pids: tuple[int, ...]
    endpoint: str
    rss_kib: int


class Service(ABC):
    name: str
    # How long `stop` waits after SIGTERM before SIGKILL.
    stop_grace_s: float = 30.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def home(self) -> Path:
        return self.settings.state_dir / self.name

    @property
    def log_file(self) -> Path:
        return self.settings.state_dir / "logs" / f"{self.name}.log"

    @property
    def pid_file(self) -> Path:
        return self.settings.state_dir / "run" / f"{self.name}.pid"

    @property
    @abstractmethod
    def endpoint(self) -> str: ...

    @abstractmethod
    def ports(self) -> dict[str, int]:
        """Ports the service binds, keyed by the variable that configures each."""

    @abstractmethod
    def prepare(self, java: Java, jars: Path) -> list[str]:
        """Write config files and return the command that runs the service in the foreground."""

    @abstractmethod
    def healthy(self) -> bool: ...

    def environment(self, java: Java) -> dict[str, str]:
        env = process.child_environment()
        env["JAVA_HOME"] = str(java.home)
        return env

    def pids(self) -> list[int]:
        found = set(process.find_marked(self.name, self.settings.state_dir))
        try:
            recorded = int(self.pid_file.read_text())
        except (OSError, ValueError):
            recorded = 0
        if recorded and process.is_alive(recorded):
            found.add(recorded)
        return sorted(found)

    def start(self, java: Java, jars: Path) -> bool:
        """Start unless already running and healthy; True when a process was started."""
        if self.pids():
            if self.healthy():
                return False
            self.stop()
        process.require_free_ports(self.name, self.settings.host, self.ports())
        for directory in (self.home, self.log_file.parent, self.pid_file.parent):
            directory.mkdir(parents=True, exist_ok=True)
        command = self.prepare(java, jars)
        pid = process.spawn(command, self.log_file, self.pid_file, self.environment(java))
        try:
            process.wait_until(
                self.healthy,
                self.settings.startup_timeout_s,
                lambda: process.is_alive(pid),
                self.name,
                self.log_file,
            )
        except BaseException:
            self.stop()  # never leave a half-started service behind
            raise
        return True

    def stop(self) -> None:
        process.stop(self.pids(), self.stop_grace_s)
        self.pid_file.unlink(missing_ok=True)

    def status(self) -> ServiceStatus:
        pids = self.pids()
        return ServiceStatus(
            name=self.name,
            running=bool(pids),
            healthy=bool(pids) and self.healthy(),
            pids=tuple(pids),
            endpoint=self.endpoint,
            rss_kib=sum(process.rss_kib(p) for p in pids),
        )

    def java_command(self, java: Java, heap: str, classpath: str, main: str) -> list[str]:
        return [
            str(java.executable),
            f"-Xms{heap}",
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError",
            f"-Djava.io.tmpdir={self.home / 'tmp'}",
            *process.marker_args(self.name, self.settings.state_dir),
            "-cp",
            classpath,
            main,
        ]


def link_or_copy(source: Path, target: Path) -> None:
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
