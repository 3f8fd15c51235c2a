"""The Kafka side of the producer: durable, ordered per author, batched and compressed.

Every tweet is keyed by its author's id: one author's tweets land on one partition in order
(the `users` query keeps the newest profile), while thousands of authors spread the load.
Records that cannot become tweets go to the dead-letter topic `<topic>.dlq` with the reason
and their source position, so nothing bad input brings is silently lost.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from tweetflow.core.kafka_security import client_security

log = logging.getLogger(__name__)


class KafkaUnavailable(RuntimeError):
    """Kafka could not be used; the message says why and what to change."""


class _Messages(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.seen) < 200:
            self.seen.append(record.getMessage())


@contextmanager
def explained_failures(bootstrap: str) -> Iterator[None]:
    """kafka-python reports a refused login or an untrusted certificate only in its log and
    then times out; turn such a failure into one error that names the cause and the fix."""
    messages = _Messages()
    logger = logging.getLogger("kafka")
    logger.addHandler(messages)
    try:
        yield
    except KafkaError as exc:
        raise KafkaUnavailable(explain(bootstrap, "\n".join(messages.seen), exc)) from None
    finally:
        logger.removeHandler(messages)


def explain(bootstrap: str, log: str, exc: Exception) -> str:
    if "SaslAuthenticationFailed" in log or "Authentication failed" in log:
        return (
            f"Kafka at {bootstrap} refused the credentials (SASL authentication failed): check "
            "TWEETFLOW_KAFKA_SASL_USERNAME, TWEETFLOW_KAFKA_SASL_PASSWORD (or _PASSWORD_FILE) "
            "and TWEETFLOW_KAFKA_SASL_MECHANISM"
        )
    if "CERTIFICATE_VERIFY_FAILED" in log:
        return (
            f"Kafka at {bootstrap} presented a TLS certificate no trusted CA signed: set "
            "TWEETFLOW_KAFKA_SSL_CAFILE to the PEM file of the CA that did"
        )
    login = client_security()
    if "sasl_plain_username" in login and ("socket disconnected" in log or "closed" in log):
        # Depending on the SASL handshake version, a broker refusing the login either says so
        # or just closes the connection.
        return (
            f"Kafka at {bootstrap} closed the connection while logging in as "
            f"{login['sasl_plain_username']!r} over {login.get('security_protocol', '?')}: the "
            "credentials were most likely refused: check TWEETFLOW_KAFKA_SASL_USERNAME, "
            "TWEETFLOW_KAFKA_SASL_PASSWORD (or _PASSWORD_FILE) and "
            "TWEETFLOW_KAFKA_SASL_MECHANISM; or the broker does not expect this protocol"
        )
    if "socket disconnected" in log or "Handshake failed" in log:
        return (
            f"Kafka at {bootstrap} closed the connection: it may want TLS or SASL (set "
            "TWEETFLOW_KAFKA_SECURITY_PROTOCOL and the credentials) or not want them"
        )
    return f"cannot use Kafka at {bootstrap} ({exc}): is it running? (`tweetflow stack up`)"


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def ensure_topic(bootstrap: str, topic: str, partitions: int, **security: Any) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **security)
    try:
        admin.create_topics([NewTopic(topic, partitions, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def dead_letter_record(raw: bytes | str | Any, reason: str, position: str) -> dict[str, Any]:
    """What the dead-letter topic holds: the reason, where it came from, the input unchanged
    (as text when it is UTF-8, else base64)."""
    if isinstance(raw, bytes):
        try:
            payload: dict[str, Any] = {"raw": raw.decode("utf-8")}
        except UnicodeDecodeError:
            payload = {"raw_base64": base64.b64encode(raw).decode("ascii")}
    elif isinstance(raw, str):
        payload = {"raw": raw}
    else:
        payload = {"raw": orjson.dumps(raw, default=str).decode()}
    return {"reason": reason, "position": position, **payload}


@dataclass
class SinkStats:
    sent: int = 0  # handed to the client
    acked: int = 0  # confirmed by the broker (acks=all)
    failed: int = 0  # the client gave up after its retries
    dead_lettered: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)  # first few send failures, for the summary


@dataclass(frozen=True)
class ClientSettings:
    """The producer settings both backends translate into their own client's names."""

    bootstrap: str
    security: dict[str, Any]
    compression: str
    linger_ms: int
    batch_size: int
    overrides: dict[str, Any]


class _Sink:
    """What both backends share: topic names, counters, topic creation, the constructor.
    `overrides` are further client settings, in the names of the backend's own client."""

    backend: str

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        partitions: int = 2,
        compression: str = "lz4",
        linger_ms: int = 10,
        batch_size: int = 256 * 1024,
        create_topics: bool = True,
        **overrides: Any,
    ) -> None:
        self.topic, self.dlq, self.stats = topic, dlq_topic(topic), SinkStats()
        security = client_security()
        if create_topics:
            ensure_topic(bootstrap, topic, partitions, **security)
            ensure_topic(bootstrap, self.dlq, 1, **security)
        self._bootstrap = bootstrap
        self._connect(
            ClientSettings(bootstrap, security, compression, linger_ms, batch_size, overrides)
        )

    def _connect(self, client: ClientSettings) -> None:
        raise NotImplementedError


# What the kafka-python sink holds unacknowledged before send() waits: kafka-python 3 has no
# buffer.memory of its own, so a stalled broker would otherwise grow the producer without end.
MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024
# How often a send() waiting on the broker says so.
WAIT_REPORT_S = 30.0
# A client with records in flight that has heard nothing for this long is replaced: after an
# outage longer than its bootstrap back-off, kafka-python 3 gives up reconnecting for good.
STALLED_S = 60.0
# A broker this long silent with records in flight is away: a producer the user stopped then
# waits no longer for it.
QUIET_S = 5.0
FLUSH = -1  # the sequence number of a failed flush(), which is no record's


class SinkStopped(Exception):
    """The stop event was set while send() waited for Kafka."""


@dataclass
class _Pending:
    topic: str
    key: bytes | None
    value: bytes
    tweet: bool


class TweetSink(_Sink):
    """Sends with kafka-python, the design card's client. Every record is kept until the
    broker acknowledges it: one that expired in an outage is sent again, and a client that
    stopped reconnecting is replaced, so an outage of any length only delays the tweets."""

    backend = "kafka-python"
    stop: threading.Event | None = None  # set by the caller: a send() waiting gives up on it

    def _connect(self, client: ClientSettings) -> None:
        # Reentrant: a send under the lock (_resend) may fail at once, calling _failed in-line.
        self._lock = threading.RLock()
        self._drained = threading.Condition(self._lock)
        self._in_flight = 0  # bytes sent and not yet acknowledged or failed
        self._pending: dict[int, _Pending] = {}
        self._retry: list[int] = []  # expired in an outage: sent again by the sending thread
        self._next = 0
        self._generation = 0  # which client: failures reported by a replaced one are void
        self._heard = time.monotonic()  # the client's last acknowledgement or failure
        self.max_in_flight = int(client.overrides.pop("max_in_flight_bytes", MAX_IN_FLIGHT_BYTES))
        self.stalled_s = float(client.overrides.pop("stalled_s", STALLED_S))
        self._client = client
        self._producer = self._new_producer()

    def _new_producer(self) -> KafkaProducer:
        client = self._client
        return KafkaProducer(
            bootstrap_servers=client.bootstrap,
            acks="all",  # a tweet counts as sent once every in-sync replica has it
            enable_idempotence=True,  # retries neither duplicate nor reorder
            compression_type=client.compression,
            linger_ms=client.linger_ms,
            batch_size=client.batch_size,
            **{**client.security, **client.overrides},
        )

    def _acked(self, seq: int, _metadata: Any) -> None:
        with self._lock:
            record = self._pending.pop(seq, None)
            if record is not None:
                self.stats.acked += record.tweet
                self._in_flight -= len(record.value)
            self._heard = time.monotonic()
            self._drained.notify_all()

    def _failed(self, seq: int, generation: int, error: Exception) -> None:
        with self._lock:
            if generation != self._generation:
                return  # the replaced client failing what the new one sends again
            self._heard = time.monotonic()
            record = self._pending.get(seq)
            if record is not None and getattr(error, "retriable", False):
                self._retry.append(seq)  # expired in an outage: kept, sent again
            elif record is not None or seq == FLUSH:  # else counted already, by close()
                self._pending.pop(seq, None)
                self._in_flight -= len(record.value) if record else 0
                self.stats.failed += 1
                if len(self.stats.errors) < 5:
                    self.stats.errors.append(repr(error))
            self._drained.notify_all()

    def _admit(self, topic: str, value: bytes, key: bytes | None) -> tuple[int, _Pending]:
        """Backpressure: block while the broker has not acknowledged max_in_flight bytes;
        then the record is kept, under a sequence number, until it is."""
        # A copy of its own size: orjson's output keeps the capacity of its buffer (8 KiB on
        # average here), which 16 MiB of kept records would multiply by ten.
        record = _Pending(topic, key, memoryview(value).tobytes(), topic == self.topic)
        size = len(value)
        with self._lock:
            waited = 0.0
            while self._retry or (self._in_flight and self._in_flight + size > self.max_in_flight):
                if self.stop is not None and self.stop.is_set():
                    raise SinkStopped()
                if self._retry or time.monotonic() - self._heard > self.stalled_s:
                    self._resend()
                if not self._drained.wait(1.0):
                    waited += 1.0
                    if waited % WAIT_REPORT_S == 0:
                        log.warning(
                            "waiting for Kafka at %s: %d bytes sent and not acknowledged",
                            self._bootstrap,
                            self._in_flight,
                        )
            self._in_flight += size
            seq, self._next = self._next, self._next + 1
            self._pending[seq] = record
            return seq, record

    def _resend(self) -> None:
        """Under the lock: send again what expired; a silent client is replaced first and
        everything unacknowledged goes through the new one, in the order first sent."""
        again = sorted(set(self._retry))
        if time.monotonic() - self._heard > self.stalled_s:
            self._heard = time.monotonic()  # the next attempt, if this one fails
            try:
                fresh = self._new_producer()
            except KafkaError as exc:
                log.warning("Kafka at %s unreachable (%s); trying again", self._bootstrap, exc)
                return
            log.warning(
                "Kafka at %s answered nothing for %.0f s; a new client sends the %d "
                "unacknowledged records again",
                self._bootstrap,
                self.stalled_s,
                len(self._pending),
            )
            stale, self._producer = self._producer, fresh
            self._generation += 1
            _abandon(stale)
            again = sorted(self._pending)
        self._retry.clear()
        for seq in again:
            self._submit(seq, self._pending[seq])

    def _submit(self, seq: int, record: _Pending) -> None:
        future = self._producer.send(record.topic, key=record.key, value=record.value)
        future.add_callback(self._acked, seq)
        future.add_errback(self._failed, seq, self._generation)

    def _send(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        self._submit(*self._admit(topic, value, key))

    def send(self, tweet: dict[str, Any]) -> None:
        value = orjson.dumps(tweet)
        self._send(self.topic, value, tweet["user"]["id_str"].encode())
        self.stats.sent += 1
        self.stats.bytes += len(value)

    def dead_letter(self, raw: bytes | str | Any, reason: str, position: str) -> None:
        record = dead_letter_record(raw, reason, position)
        self._send(self.dlq, orjson.dumps(record))
        self.stats.dead_lettered += 1

    def flush(self, timeout_s: float | None = None) -> None:
        try:
            self._producer.flush(timeout=timeout_s)
        except KafkaError as exc:
            self._failed(FLUSH, self._generation, exc)

    def close(self, timeout_s: float = 30.0) -> None:
        """Wait for the broker to acknowledge what is in flight, going on through an outage as
        send() does; what is still unacknowledged then counts as failed. Stopped by the user
        while Kafka is away, it waits no longer than QUIET_S."""
        stopping = self.stop is not None and self.stop.is_set()
        deadline = time.monotonic() + timeout_s
        with self._lock:
            if stopping and self._pending and time.monotonic() - self._heard > QUIET_S:
                deadline = min(deadline, time.monotonic() + QUIET_S)
            while self._pending and (left := deadline - time.monotonic()) > 0:
                if self._retry or time.monotonic() - self._heard > self.stalled_s:
                    self._resend()
                self._drained.wait(min(left, 1.0))
            lost = list(self._pending.values())
            if lost:
                self.stats.failed += len(lost)
                self.stats.errors.append(
                    f"{len(lost)} records ({sum(r.tweet for r in lost)} tweets) not acknowledged "
                    f"by Kafka at {self._bootstrap} when the producer stopped"
                )
                _abandon(self._producer)
                self._pending.clear()
                return
        with contextlib.suppress(KafkaError):
            self._producer.close(timeout=0)


def _abandon(producer: KafkaProducer) -> None:
    """Stop a stuck client's I/O thread without waiting for it: kafka-python's close() flushes
    first, and raises on a client that cannot (again at garbage collection, onto stderr)."""
    try:
        producer._unregister_cleanup()
        if producer._sender is not None:
            producer._sender.force_close()
        producer._closed = True
    except AttributeError:  # another kafka-python: its own close, in the background
        threading.Thread(target=producer.close, kwargs={"timeout": 0}, daemon=True).start()


# librdkafka's names for the settings client_security() reads.
_CONFLUENT_NAMES = {
    "security_protocol": "security.protocol",
    "sasl_mechanism": "sasl.mechanism",
    "sasl_plain_username": "sasl.username",
    "sasl_plain_password": "sasl.password",
    "ssl_cafile": "ssl.ca.location",
}


class ConfluentTweetSink(_Sink):
    """The same interface over confluent-kafka (librdkafka): several times kafka-python's
    throughput from one process (see bench/producer_bench.py). Optional: `tweetflow[fast]`."""

    backend = "confluent-kafka"

    def _connect(self, client: ClientSettings) -> None:
        from confluent_kafka import Producer

        self._producer = Producer(
            {
                "bootstrap.servers": client.bootstrap,
                "acks": "all",
                "enable.idempotence": True,
                "compression.type": client.compression,
                "linger.ms": client.linger_ms,
                "batch.size": client.batch_size,
                "queue.buffering.max.messages": 500_000,
                **{_CONFLUENT_NAMES[k]: v for k, v in client.security.items()},
                **client.overrides,
            }
        )

    def _delivered(self, error: Any, _message: Any) -> None:
        if error is None:
            self.stats.acked += 1
        else:
            self.stats.failed += 1
            if len(self.stats.errors) < 5:
                self.stats.errors.append(str(error))

    def _produce(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        while True:
            try:
                self._producer.produce(topic, value, key, on_delivery=self._delivered)
                break
            except BufferError:
                self._producer.poll(0.05)  # local queue full: let deliveries drain (backpressure)
        self._producer.poll(0)

    def send(self, tweet: dict[str, Any]) -> None:
        value = orjson.dumps(tweet)
        self._produce(self.topic, value, tweet["user"]["id_str"].encode())
        self.stats.sent += 1
        self.stats.bytes += len(value)

    def dead_letter(self, raw: bytes | str | Any, reason: str, position: str) -> None:
        self._produce(self.dlq, orjson.dumps(dead_letter_record(raw, reason, position)))
        self.stats.dead_lettered += 1

    def flush(self, timeout_s: float | None = None) -> None:
        remaining = self._producer.flush(-1 if timeout_s is None else timeout_s)
        if remaining:
            self.stats.failed += remaining
            self.stats.errors.append(f"{remaining} messages still queued after the flush timeout")

    def close(self, timeout_s: float = 30.0) -> None:
        self.flush(timeout_s)


def open_sink(
    backend: str, bootstrap: str, topic: str, partitions: int = 2, **options: Any
) -> TweetSink | ConfluentTweetSink:
    if backend == "kafka-python":
        return TweetSink(bootstrap, topic, partitions, **options)
    if backend == "confluent-kafka":
        try:
            import confluent_kafka  # noqa: F401
        except ImportError:
            raise RuntimeError(
                "the confluent-kafka backend needs `pip install 'tweetflow[fast]'`"
            ) from None
        return ConfluentTweetSink(bootstrap, topic, partitions, **options)
    raise ValueError(f"unknown Kafka backend {backend!r}: kafka-python or confluent-kafka")
