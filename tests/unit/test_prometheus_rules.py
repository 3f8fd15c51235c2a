"""tweetflow's Prometheus rules and the local stack's scrape configuration, checked by the real
promtool (Debian's, fetched and verified like the server): every alert fires on the series
that should raise it and stays quiet on a healthy job (deploy/prometheus/rules_test.yml)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support import scripts
from tweetflow.core.settings import Settings
from tweetflow.stack import prometheus

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus"


def promtool(*args: str, cwd: Path = RULES) -> subprocess.CompletedProcess[str]:
    binary = prometheus.binaries(Settings.from_env().cache_dir) / "promtool"
    return subprocess.run(
        [str(binary), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_alerts_pass_their_promtool_tests() -> None:
    done = promtool("test", "rules", "rules_test.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_promtool_fails_an_alert_whose_threshold_moved(tmp_path: Path) -> None:
    for name in ("rules.yml", "rules_test.yml"):
        shutil.copy(RULES / name, tmp_path / name)
    rules = tmp_path / "rules.yml"
    rules.write_text(rules.read_text().replace("> 0.05", "> 0.5"))
    done = promtool("test", "rules", "rules_test.yml", cwd=tmp_path)
    assert done.returncode != 0
    assert "TweetflowDeadLetterShareHigh" in done.stdout + done.stderr


def test_the_package_ships_the_same_rules() -> None:
    assert prometheus.rules_file().read_text() == (RULES / "rules.yml").read_text()


def test_the_local_stacks_configuration_passes_promtool(tmp_path: Path) -> None:
    settings = Settings(metrics_ports="9300-9302", producer_metrics_port=9310)
    config = prometheus.scrape_config(settings)
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    done = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    targets = {
        job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]
    }
    assert targets == {
        "flink": ["127.0.0.1:9300", "127.0.0.1:9301", "127.0.0.1:9302"],
        "producer": ["127.0.0.1:9310"],
    }


def test_port_ranges_read_as_flink_reads_them() -> None:
    assert prometheus.port_range("9249-9251") == [9249, 9250, 9251]
    assert prometheus.port_range("9249") == [9249]
    assert prometheus.port_range("9249, 9300-9301") == [9249, 9300, 9301]


def test_composes_prometheus_configuration_passes_promtool() -> None:
    done = promtool("check", "config", "prometheus.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 rule files found" in done.stdout


def test_the_kubernetes_manifest_is_the_generators_output_and_passes_promtool(
    tmp_path: Path,
) -> None:
    generator = scripts.load(RULES / "generate.py", "prometheus_generate")
    assert generator.MANIFEST.read_text() == generator.manifest(), (
        "run deploy/prometheus/generate.py"
    )
    maps = {
        d["metadata"]["name"]: d["data"]
        for d in yaml.safe_load_all(generator.manifest())
        if d["kind"] == "ConfigMap"
    }
    assert maps["prometheus-rules"]["rules.yml"] == (RULES / "rules.yml").read_text()
    config = yaml.safe_load(maps["prometheus-config"]["prometheus.yml"])
    config["rule_files"] = ["rules.yml"]
    # Debian's build leaves Kubernetes discovery out ("field kubernetes_sd_configs not found"):
    # promtool checks the rest with a static target in its place.
    for job in config["scrape_configs"]:
        (discovery,) = job.pop("kubernetes_sd_configs")
        assert discovery == {"role": "pod", "namespaces": {"names": ["tweetflow"]}}
        job["static_configs"] = [{"targets": ["pod:9249"]}]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    shutil.copy(RULES / "rules.yml", tmp_path / "rules.yml")
    done = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # It scrapes the ports the manifests declare: Flink's reporter and the producer's.
    kubernetes = RULES.parent / "kubernetes"
    assert "containerPort: 9249" in (kubernetes / "flink-deployment.yaml").read_text()
    assert "containerPort: 9259" in (kubernetes / "producer.yaml").read_text()
