"""Kafka's security for every Kafka client of tweetflow (the producer, admin clients, the
consumers that read results back), as the TWEETFLOW_KAFKA_* variables give it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tweetflow.core.settings import Settings

# Passed through from the environment to every Kafka client (producer, admin, consumers).
SECURITY_VARIABLES = {
    "TWEETFLOW_KAFKA_SECURITY_PROTOCOL": "security_protocol",
    "TWEETFLOW_KAFKA_SASL_MECHANISM": "sasl_mechanism",
    "TWEETFLOW_KAFKA_SASL_USERNAME": "sasl_plain_username",
    "TWEETFLOW_KAFKA_SSL_CAFILE": "ssl_cafile",
}
PASSWORD_VARIABLE = "TWEETFLOW_KAFKA_SASL_PASSWORD"


def client_security(env: dict[str, str] | None = None) -> dict[str, Any]:
    """SASL/SSL settings from the environment; the password also from a *_FILE variable."""
    env = dict(os.environ if env is None else env)
    config = {key: env[var] for var, key in SECURITY_VARIABLES.items() if env.get(var)}
    password = env.get(PASSWORD_VARIABLE)
    if not password and env.get(f"{PASSWORD_VARIABLE}_FILE"):
        with open(env[f"{PASSWORD_VARIABLE}_FILE"], encoding="utf-8") as handle:
            password = handle.read().strip()
    if password:
        config["sasl_plain_password"] = password
    if str(config.get("security_protocol", "")).upper() in ("SSL", "SASL_SSL"):
        local_ca = _local_ca(env)
        if "ssl_cafile" not in config and local_ca.exists():
            config["ssl_cafile"] = str(local_ca)
    return config


def _local_ca(env: dict[str, str]) -> Path:
    """Without TWEETFLOW_KAFKA_SSL_CAFILE, TLS trusts the local stack's own CA if there is one
    (else the system's CAs, as for a managed Kafka)."""
    return Settings.from_env(env).state_dir / "tls" / "ca.pem"
