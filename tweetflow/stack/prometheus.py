"""Prometheus for the local stack: Debian's build of the server and promtool, downloaded once,
verified against versions.toml and cached, scraping the job, the local cluster and the
producer, with tweetflow's rules (deploy/prometheus/rules.yml) loaded."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import lzma
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tweetflow.core import versions
from tweetflow.core.errors import StackError
from tweetflow.core.java import Java
from tweetflow.core.settings import Settings
from tweetflow.stack.service import Service

DEBIAN = "https://deb.debian.org/debian/"
BINARIES = ("prometheus", "promtool")
SCRAPE_INTERVAL = "5s"


def rules_file() -> Path:
    """tweetflow's recording and alerting rules, as the package ships them."""
    return Path(str(resources.files("tweetflow.stack") / "prometheus_rules.yml"))


def binaries(cache_dir: Path) -> Path:
    """The directory holding `prometheus` and `promtool`, fetched on first use."""
    v = versions.load()
    target = cache_dir / "prometheus" / v.prometheus_sha256[:16]
    if all((target / name).exists() for name in BINARIES):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all((target / name).exists() for name in BINARIES):
            return target
        package = _download(DEBIAN + v.prometheus_deb, v.prometheus_sha256)
        with tempfile.TemporaryDirectory(prefix=".prometheus-", dir=target.parent) as tmp:
            staging = Path(tmp) / "bin"
            staging.mkdir()
            for name, content in _deb_files(package, {f"./usr/bin/{b}" for b in BINARIES}):
                (staging / Path(name).name).write_bytes(content)
                (staging / Path(name).name).chmod(0o755)
            staging.rename(target)
    return target


def _download(url: str, sha256: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            content: bytes = answer.read()
    except urllib.error.HTTPError as exc:
        raise StackError(
            f"Prometheus: {url} answered {exc.code}. Debian replaces a package in its pool when "
            "a new revision is released: update [metrics] prometheus_deb and prometheus_sha256 "
            "in tweetflow/core/versions.toml (apt-get download --print-uris prometheus)"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise StackError(f"Prometheus: could not download {url}: {exc}") from None
    digest = hashlib.sha256(content).hexdigest()
    if digest != sha256:
        raise StackError(f"Prometheus: {url} has SHA-256 {digest}, versions.toml pins {sha256}")
    return content


def _deb_files(package: bytes, wanted: set[str]) -> list[tuple[str, bytes]]:
    """Files of a .deb (an ar archive whose data.tar.xz holds the files) named in wanted."""
    if not package.startswith(b"!<arch>\n"):
        raise StackError("Prometheus: the downloaded package is not a Debian archive")
    position, data = 8, b""
    while position < len(package):
        header = package[position : position + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        if name.startswith("data.tar"):
            data = package[position + 60 : position + 60 + size]
        position += 60 + size + (size % 2)
    if not data:
        raise StackError("Prometheus: the package has no data.tar")
    found = []
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(data)), mode="r:") as archive:
        for member in archive:
            if member.name in wanted and member.isfile():
                extracted = archive.extractfile(member)
                assert extracted is not None
                found.append((member.name, extracted.read()))
    if len(found) != len(wanted):
        raise StackError(f"Prometheus: the package lacks {sorted(wanted)}")
    return found


def port_range(text: str) -> list[int]:
    """The ports of a Flink port range such as 9249-9258 (or one port, or a list by commas)."""
    ports: list[int] = []
    for part in filter(None, map(str.strip, text.split(","))):
        low, _, high = part.partition("-")
        ports += range(int(low), int(high or low) + 1)
    return ports


def targets(settings: Settings) -> dict[str, list[str]]:
    """host:port of every /metrics endpoint the settings give, per kind: Flink's reporter
    ports (the embedded job, the local cluster's JobManager and TaskManagers take the first
    free ones) and the producer's. Prometheus scrapes them; `tweetflow status` reads them."""
    producer = [settings.producer_metrics_port] if settings.producer_metrics_port else []
    return {
        name: [f"{settings.host}:{port}" for port in ports]
        for name, ports in (
            ("flink", port_range(settings.flink_metrics_ports)),
            ("producer", producer),
        )
    }


def scrape_config(settings: Settings, interval: str = SCRAPE_INTERVAL) -> dict[str, object]:
    """prometheus.yml of the local stack: every endpoint of targets()."""
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(rules_file())],
        "scrape_configs": [
            {"job_name": name, "static_configs": [{"targets": found}]}
            for name, found in targets(settings).items()
        ],
    }


class Prometheus(Service):
    name = "prometheus"
    stop_grace_s = 10.0
    artifact = None  # not a jar: binaries() fetches Debian's package

    def __init__(self, settings: Settings, scrape_interval: str = SCRAPE_INTERVAL) -> None:
        super().__init__(settings)
        self.scrape_interval = scrape_interval

    @property
    def endpoint(self) -> str:
        return f"http://{self.settings.host}:{self.settings.prometheus_port}"

    def ports(self) -> dict[str, int]:
        return {"TWEETFLOW_PROMETHEUS_PORT": self.settings.prometheus_port}

    def prepare(self, java: Java, jars: Path) -> list[str]:
        binary = binaries(self.settings.cache_dir) / "prometheus"
        config = self.home / "prometheus.yml"
        config.write_text(
            yaml.safe_dump(scrape_config(self.settings, self.scrape_interval)), encoding="utf-8"
        )
        return [
            str(binary),
            f"--config.file={config}",
            f"--storage.tsdb.path={self.home / 'data'}",
            f"--web.listen-address={self.settings.host}:{self.settings.prometheus_port}",
            "--storage.tsdb.retention.time=7d",
        ]

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/-/ready", timeout=3) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False


def query(endpoint: str, promql: str, **params: float | str) -> list[dict[str, Any]]:
    """The result of a query through Prometheus' HTTP API: instant (`time` optional), or over
    a range with `start`, `end` and `step` (as a dashboard asks)."""
    path = "query_range" if "step" in params else "query"
    url = f"{endpoint}/api/v1/{path}?" + urllib.parse.urlencode({"query": promql, **params})
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            body = json.load(answer)
    except urllib.error.HTTPError as exc:  # 400 and 422 carry the reason
        body = json.load(exc)
    if body.get("status") != "success":
        raise StackError(f"Prometheus refused {promql!r}: {body.get('error')}")
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def value(endpoint: str, promql: str) -> float | None:
    """The single number an instant query gives, None when it gives none."""
    result = query(endpoint, promql)
    return float(result[0]["value"][1]) if result else None
