"""The X filtered-stream source against a local emulator of the X API (no mocks of tweepy)."""

from __future__ import annotations

import itertools
import json
import logging
import socket
import threading
import time
from pathlib import Path

import pytest

from producer import convert
from producer.x_stream import RULE_TAG, XStreamConfig, XStreamError, records
from tests.support.fixtures import X_TOKEN, x_payload
from tests.support.x_emulator import Scenario, serve


def config(base: str, **changes: object) -> XStreamConfig:
    values = {
        "bearer_token": X_TOKEN,
        "track": ("flink", "kafka"),
        "api_base": base,
        "rate_limit_wait_s": 0.3,
        "error_wait_s": 0.1,
    }
    return XStreamConfig(**{**values, **changes})  # type: ignore[arg-type]


def take(base: str, n: int, **changes: object) -> list[dict]:
    stop = threading.Event()
    out = []
    for record in itertools.islice(records(config(base, **changes), stop), n):
        out.append(json.loads(record.value))
    stop.set()
    return out


def test_normal_flow_syncs_rules_and_skips_keep_alives() -> None:
    scenario = Scenario(
        X_TOKEN, connections=[["", x_payload(1), "", x_payload(2), x_payload(3), ""]]
    )
    scenario.rules.append({"id": "99", "value": "old term", "tag": RULE_TAG})
    scenario.rules.append({"id": "98", "value": "someone else's", "tag": "other"})
    with serve(scenario) as base:
        got = take(base, 3)
    assert [p["data"]["id"] for p in got] == ["1001", "1002", "1003"]
    assert {(r["value"], r["tag"]) for r in scenario.rules} == {
        ("flink", RULE_TAG),
        ("kafka", RULE_TAG),
        ("someone else's", "other"),
    }
    query = scenario.stream_requests[0]["query"]
    assert "expansions=author_id" in query and "user.fields=" in query
    tweet = convert.to_canonical(got[0])
    assert tweet["entities"]["hashtags"] == [{"text": "streaming"}]


def test_disconnect_and_resume_loses_and_repeats_nothing() -> None:
    scenario = Scenario(
        X_TOKEN, connections=[[x_payload(1), x_payload(2)], ["", x_payload(3)], [x_payload(4)]]
    )
    with serve(scenario) as base:
        got = take(base, 4)
    assert [p["data"]["id"] for p in got] == ["1001", "1002", "1003", "1004"]
    assert len(scenario.stream_requests) >= 3


def test_rate_limit_backs_off_then_resumes() -> None:
    scenario = Scenario(X_TOKEN, connections=[429, 429, [x_payload(1)]])
    with serve(scenario) as base:
        got = take(base, 1)
    assert [p["data"]["id"] for p in got] == ["1001"]
    first, second, third = scenario.connection_times[:3]
    assert second - first >= 0.3  # the configured first wait
    assert third - second >= 0.6  # doubled


def test_server_errors_back_off_and_recover() -> None:
    scenario = Scenario(X_TOKEN, connections=[503, [x_payload(7)]])
    with serve(scenario) as base:
        assert [p["data"]["id"] for p in take(base, 1)] == ["1007"]


def test_bad_token_is_a_clear_error_that_never_shows_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    scenario = Scenario("the-right-token")
    with serve(scenario) as base, pytest.raises(XStreamError, match=r"401.*X_BEARER_TOKEN") as err:
        take(base, 1)
    assert X_TOKEN not in str(err.value)
    assert X_TOKEN not in caplog.text
    assert X_TOKEN not in repr(config("http://x"))


def test_forbidden_stream_explains_the_access_tier() -> None:
    scenario = Scenario(X_TOKEN, connections=[403])
    with serve(scenario) as base, pytest.raises(XStreamError, match=r"403.*access tier"):
        take(base, 1, track=())


def test_rejected_rule_names_the_term() -> None:
    scenario = Scenario(X_TOKEN, reject_rules={"the"})
    with serve(scenario) as base, pytest.raises(XStreamError, match=r"rejected.*the"):
        take(base, 1, track=("the",))


def test_token_from_a_file_and_a_clear_error_without_one(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text(X_TOKEN + "\n")
    assert XStreamConfig.from_env([], {"X_BEARER_TOKEN_FILE": str(secret)}).bearer_token == X_TOKEN
    with pytest.raises(XStreamError, match="X_BEARER_TOKEN"):
        XStreamConfig.from_env([], {})


def test_a_missing_token_file_is_named() -> None:
    with pytest.raises(XStreamError, match=r"X_BEARER_TOKEN_FILE=/nonexistent/token: No such"):
        XStreamConfig.from_env([], {"X_BEARER_TOKEN_FILE": "/nonexistent/token"})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_api_at_the_start_is_one_clear_error() -> None:
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(XStreamError, match=f"cannot reach the X API at {base}: ConnectionError"):
        take(base, 1)


def test_a_failed_connection_backs_off_and_reconnects(caplog: pytest.LogCaptureFixture) -> None:
    """No network for a while (a refused connection, a name not resolved) is not the end of
    the stream: it reconnects with backoff, as after a server error (it reconnected at once,
    over and over)."""
    caplog.set_level(logging.WARNING, logger="tweetflow.producer.x")
    port = free_port()
    got: list[dict] = []
    reader = threading.Thread(
        target=lambda: got.extend(take(f"http://127.0.0.1:{port}", 1, track=())), daemon=True
    )
    reader.start()
    time.sleep(1.0)  # several refused attempts, 0.1 s, 0.2 s, 0.4 s apart
    assert reader.is_alive() and not got
    with serve(Scenario(X_TOKEN, connections=[[x_payload(5)]]), port):
        reader.join(timeout=30)
    assert [p["data"]["id"] for p in got] == ["1005"]
    waits = [r.args[1] for r in caplog.records if "reconnecting in" in r.getMessage()]
    assert len(waits) >= 3 and waits[:3] == [0.1, 0.2, 0.4]
