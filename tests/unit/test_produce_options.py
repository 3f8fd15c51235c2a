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
