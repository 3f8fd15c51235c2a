import base64
from pathlib import Path

import pytest

from tweetflow.core.errors import StackError
from tweetflow.core.java import parse_major
from tweetflow.core.settings import Settings
from tweetflow.stack.kafka import new_cluster_id
from tweetflow.stack.stack import LocalStack


def test_environment_overrides_defaults_and_arguments_override_environment() -> None:
    env = {
        "TWEETFLOW_KAFKA_PORT": "19092",
        "TWEETFLOW_STATE_DIR": "/tmp/x",
        "TWEETFLOW_ES_HEAP": "1g",
    }
    s = Settings.from_env(env)
    assert (s.kafka_port, s.state_dir, s.es_heap) == (19092, Path("/tmp/x"), "1g")
    assert Settings.from_env(env, kafka_port=1).kafka_port == 1
    assert Settings.from_env({}).kafka_port == 9092


def test_bad_number_names_the_variable() -> None:
    with pytest.raises(ValueError, match="TWEETFLOW_ES_PORT"):
        Settings.from_env({"TWEETFLOW_ES_PORT": "nine"})


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [("ES_LINE", "9", "'8', '7', 'opensearch'"), ("ES_SECURITY", "ssl", "empty, 'tls'")],
)
def test_a_setting_of_a_few_values_names_them(variable: str, value: str, allowed: str) -> None:
    with pytest.raises(ValueError) as error:
        Settings.from_env({f"TWEETFLOW_{variable}": value})
    assert str(error.value) == f"TWEETFLOW_{variable}={value!r}: one of {allowed}"
    assert Settings.from_env({"TWEETFLOW_ES_LINE": "opensearch"}).es_line == "opensearch"


def test_the_local_node_is_of_the_line_asked_for(tmp_path: Path) -> None:
    nodes = {
        line: type(LocalStack(Settings.from_env({}, state_dir=tmp_path, es_line=line))
                   .services["elasticsearch"]).__name__
        for line in ("8", "7", "opensearch")
    }  # fmt: skip
    assert nodes == {"8": "Elasticsearch8", "7": "Elasticsearch", "opensearch": "OpenSearch"}


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
    ],
)
def test_java_version_parsing(output: str, major: int) -> None:
    assert parse_major(output) == major


def test_unreadable_java_version_is_an_error() -> None:
    with pytest.raises(StackError):
        parse_major("garbage")


def _fake_java(root: Path, version_line: str) -> Path:
    home = root / version_line.split('"')[1]
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o755)
    return home


def test_find_java_rejects_a_too_new_java_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tweetflow.core import java as java_module

    too_new = _fake_java(tmp_path, 'openjdk version "25.0.1" 2025-10-21')
    monkeypatch.setattr(java_module, "_candidates", lambda configured: [("test", too_new)])
    with pytest.raises(StackError, match=r"Java 17 to 23.*Java 25.*TWEETFLOW_JAVA_HOME"):
        java_module.find_java()


def test_find_java_takes_the_first_suitable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tweetflow.core import java as java_module

    old = _fake_java(tmp_path, 'java version "1.8.0_392"')
    good = _fake_java(tmp_path, 'openjdk version "21.0.2" 2024-01-16')
    monkeypatch.setattr(
        java_module, "_candidates", lambda configured: [("old", old), ("good", good)]
    )
    found = java_module.find_java()
    assert (found.home, found.major) == (good, 21)


def test_children_do_not_inherit_pyflinks_loopback_state(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tweetflow.stack.process import PYFLINK_LOOPBACK_VARIABLES, child_environment

    for name in PYFLINK_LOOPBACK_VARIABLES:
        monkeypatch.setenv(name, "true")
    monkeypatch.setenv("TWEETFLOW_TOPIC", "kept")
    env = child_environment()
    assert not set(PYFLINK_LOOPBACK_VARIABLES) & set(env)
    assert env["TWEETFLOW_TOPIC"] == "kept"


def test_kafka_cluster_ids_never_read_as_an_option() -> None:
    leading_dash = bytes([0xF8]) + bytes(15)  # base64 "-A..."
    draws = iter([leading_dash, bytes(16), bytes([0x10]) * 16])
    cluster_id = new_cluster_id(lambda: next(draws))
    assert cluster_id == base64.urlsafe_b64encode(bytes([0x10]) * 16).decode().rstrip("=")
    assert len(cluster_id) == 22
    assert all(not new_cluster_id().startswith("-") for _ in range(2000))
