"""What a failed Kafka connection is explained as (producer/kafka_sink.explain)."""

from __future__ import annotations

import pytest

from producer.kafka_sink import explain

SASL = {
    "TWEETFLOW_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "TWEETFLOW_KAFKA_SASL_USERNAME": "tweetflow",
    "TWEETFLOW_KAFKA_SASL_PASSWORD": "s3cret-value",
}


@pytest.mark.parametrize(
    ("env", "log", "says"),
    [
        (SASL, "Abort ([Error 58] SaslAuthenticationFailedError: Authentication failed)",
         "refused the credentials (SASL authentication failed)"),
        (SASL, "Connection lost: KafkaConnectionError: socket disconnected",
         "credentials were most likely refused"),
        ({}, "Handshake failed: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
         "TWEETFLOW_KAFKA_SSL_CAFILE"),
        ({}, "Connection lost: KafkaConnectionError: socket disconnected",
         "may want TLS or SASL"),
        ({}, "Connect to 127.0.0.1:9092 failed: Connection refused", "is it running?"),
    ],
)  # fmt: skip
def test_each_failure_names_its_cause_and_never_the_password(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], log: str, says: str
) -> None:
    for name in (*SASL, "TWEETFLOW_KAFKA_SASL_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    message = explain("127.0.0.1:9092", log, TimeoutError("Unable to bootstrap"))
    assert says in message
    assert "s3cret-value" not in message
