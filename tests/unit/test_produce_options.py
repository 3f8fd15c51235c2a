"""`tweetflow produce` refuses a wrong value before it connects to anything, and says the
allowed range; a file is never ignored."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tweetflow.cli.main import app

# Nothing listens here: a value that got past the checks would fail on Kafka instead.
UNREACHABLE = {"TWEETFLOW_KAFKA_BOOTSTRAP": "127.0.0.1:9", "TWEETFLOW_TOPIC": "never"}


def produce(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["produce", *args], env=UNREACHABLE)
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--rate", "-5"], "'--rate': Input should be greater than or equal to 0"),
        (["--count", "-1"], "'--count': Input should be greater than or equal to 0"),
        (["--late", "2"], "'--late': Input should be less than or equal to 1"),
        (["--late", "-0.5"], "'--late': Input should be greater than or equal to 0"),
        (["--out-of-order", "5"], "'--out-of-order': Input should be less than or equal to 1"),
        (["--event-rate", "-3"], "-3 is not above 0"),
        (["--event-rate", "0"], "0 is not above 0"),
        (
            ["--source", "replay", "--skip", "-5", "x.json"],
            "'--skip': Input should be greater than or equal to 0",
        ),
        (["--source", "replay"], "replay needs at least one file or directory"),
        (["archive.jsonl", "--source", "synthetic"], "synthetic reads no files"),
        (["--source", "bluesky", "a.json"], "replay it with --source replay"),
    ],
)
def test_a_wrong_value_is_refused_with_its_range(args: list[str], says: str) -> None:
    code, output = produce(*args)
    assert code == 2, output
    assert says in output
    assert "Traceback" not in output


NO_KAFKA = {"TWEETFLOW_KAFKA_SERVERS": "127.0.0.1:9", "X_BEARER_TOKEN": ""}


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--source", "x"], {"X_BEARER_TOKEN_FILE": "/nonexistent/token"},
         "X_BEARER_TOKEN_FILE=/nonexistent/token: No such file or directory"),
        (["--source", "x"], {}, "no X API bearer token: set X_BEARER_TOKEN"),
        (["--source", "replay", "/nonexistent/a.json"], {},
         "no such file or directory: /nonexistent/a.json"),
        ([], {}, "Kafka at 127.0.0.1:9 does not answer: start the local stack"),
        (["--source", "bluesky"], {}, "Kafka at 127.0.0.1:9 does not answer"),
    ],
)  # fmt: skip
def test_a_source_or_kafka_that_cannot_be_used_is_one_message(
    args: list[str], env: dict[str, str], says: str
) -> None:
    """Each was a traceback, or a half-minute wait for Kafka's client before one."""
    result = CliRunner().invoke(app, ["produce", *args], env=NO_KAFKA | env)
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output
    assert f"error: {says}" in output
    assert "Traceback" not in output


def test_an_unknown_backend_is_refused_with_the_known_ones() -> None:
    code, output = produce("--backend", "nonsense")
    assert code == 2
    unboxed = " ".join(output.replace("│", " ").split())
    assert "'nonsense' is not one of 'kafka-python', 'confluent-kafka'" in unboxed
