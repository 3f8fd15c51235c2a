"""TWEET_FIELDS and TWEET_TIMESTAMP (flink_jobs/java/) against the Flink built-ins they replace:
on the bad records of the pipeline tests, odd but valid tweets, JSON edge cases, bytes that
are not UTF-8 and a few hundred random documents, every field equals what JSON_VALUE /
JSON_QUERY return on the payload's text, whether the functions read that text or the bytes
(as the job does), run in the same Flink job."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from flink_jobs import catalog, runtime, sql_template
from tests.support.pipeline_results import BAD_RECORDS, HOSTILE_TEXT, ODD_HASHTAGS
from tweetflow.stack.stack import LocalStack

pytestmark = pytest.mark.integration

# (field, the built-in expression parsed_tweets used, the expression it uses now)
PAIRS = (
    ("is_object", "payload IS JSON OBJECT", "f.is_object"),
    ("id_str", "JSON_VALUE(payload, '$.id_str')", "f.id_str"),
    ("timestamp_ms", "JSON_VALUE(payload, '$.timestamp_ms')", "f.timestamp_ms"),
    ("event_time_ms", "JSON_VALUE(payload, '$.timestamp_ms')", "TWEET_TIMESTAMP(payload)"),
    ("text", "JSON_VALUE(payload, '$.text')", "f.text"),
    ("lang", "JSON_VALUE(payload, '$.lang')", "f.lang"),
    ("user_id", "JSON_VALUE(payload, '$.user.id_str')", "f.user_id"),
    ("screen_name", "JSON_VALUE(payload, '$.user.screen_name')", "f.screen_name"),
    ("user_name", "JSON_VALUE(payload, '$.user.name')", "f.user_name"),
    ("followers", "JSON_VALUE(payload, '$.user.followers_count')", "f.followers_count"),
    ("friends", "JSON_VALUE(payload, '$.user.friends_count')", "f.friends_count"),
    ("statuses", "JSON_VALUE(payload, '$.user.statuses_count')", "f.statuses_count"),
    # RETURNING BOOLEAN throws ClassCastException on a number, which failed the whole job (in
    # a restart loop) on a tweet with "verified": 1; the view now casts the text instead.
    ("verified", "JSON_VALUE(payload, '$.user.verified')", "f.verified"),
    ("location", "JSON_VALUE(payload, '$.user.location')", "f.location"),
    ("description", "JSON_VALUE(payload, '$.user.description')", "f.description"),
    (
        "hashtags",
        "JSON_QUERY(payload, '$.entities.hashtags[*].text' RETURNING ARRAY<STRING>)",
        "f.hashtags",
    ),
    (
        "mentions",
        "JSON_QUERY(payload, '$.entities.user_mentions[*].screen_name' RETURNING ARRAY<STRING>)",
        "f.mentions",
    ),
    (
        "urls",
        "JSON_QUERY(payload, '$.entities.urls[*].expanded_url' RETURNING ARRAY<STRING>)",
        "f.urls",
    ),
    (
        "cashtags",
        "JSON_QUERY(payload, '$.entities.symbols[*].text' RETURNING ARRAY<STRING>)",
        "f.cashtags",
    ),
    ("retweeted", "JSON_VALUE(payload, '$.retweeted_status.id_str')", "f.retweeted_id"),
)

ODD_VALUES: list[Any] = [
    None, True, False, 0, -5, 123, 1767225600000, 12345678901234567890, 1.5, 1e3, -0.0, 2.5e-7,
    "", " 12 ", "1767225600000", "true", "TRUE", "yes", "1", "é\u202e\x00", [], [1, "a"], {},
    {"b": 1, "a": [2.5, None]},
]  # fmt: skip
LISTS: list[Any] = [
    None, [], {}, "str", 5,
    [{"text": "a"}, {"text": None}, {"x": 1}, {"text": 5}, {"text": 1.25}, {"text": True}],
    [{"text": {"b": 1, "a": 2}}, {"text": ["x", {"y": None}]}, "loose", 7, None, [{"text": "z"}]],
    {"k1": {"text": "from an object"}, "k2": {"nope": 1}, "k3": "s"},
    [{"text": "dup", "text": "last"}],  # noqa: F601 (a duplicate key, as JSON allows)
    [{"text": t} for t in ODD_HASHTAGS],
]  # fmt: skip


def edge_payloads() -> list[bytes | None]:
    base = {
        "id_str": "1", "timestamp_ms": 1767225600000, "text": "hi", "lang": "en",
        "user": {"id_str": "2", "screen_name": "bob", "name": "Bob", "followers_count": 3,
                 "friends_count": 4, "statuses_count": 5, "verified": True,
                 "location": "here", "description": "me"},
        "entities": {"hashtags": [{"text": "Flink"}], "user_mentions": [{"screen_name": "x"}],
                     "urls": [{"expanded_url": "https://e.org/a"}], "symbols": []},
        "retweeted_status": {"id_str": "9"},
    }  # fmt: skip
    out: list[str | None] = [json.dumps(base), None, "  " + json.dumps(base) + "  "]
    out += [
        '{"id_str": "1", "id_str": "2", "timestamp_ms": 5, "timestamp_ms": 6}',
        '{"id_str": "1"} trailing words',
        '{"id_str": "1"}{"id_str": "2"}',
        '{"id_str": "\\u00e9\\ud83d\\udd25", "text": "\\"quoted\\" \\\\ \\n"}',
        '{"id_str": "1", "timestamp_ms": 1767225600000, "text": "unterminated',
        '{"timestamp_ms": 1.767225600E12, "user": {"followers_count": 1E400}}',
        '{"timestamp_ms": 00012}',
        '{"id_str": -0, "timestamp_ms": -0, "user": {"followers_count": -0}}',
        # duplicate containers: the last replaces the first whole, as in a parsed tree
        '{"user": {"id_str": "1", "name": "A"}, "user": {"screen_name": "b"}}',
        '{"user": {"id_str": "1"}, "user": 7}',
        '{"user": 7, "user": {"id_str": "1"}}',
        '{"entities": {"hashtags": [{"text": "a"}]}, "entities": {"urls": []}}',
        '{"entities": {"hashtags": [{"text": "a"}], "hashtags": {"k": {"text": "b"}}}}',
        '{"entities": {"hashtags": {"k": {"text": "a"}, "j": {"text": "b"}, "k": {"text": "c"}}}}',
        '{"retweeted_status": {"id_str": "9", "id_str": "8"}, "retweeted_status": null}',
        '{"retweeted_status": {"user": {"id_str": "x"}, "id_str": 12.5}}',
        # a document that breaks after the fields: nothing of it counts
        '{"id_str": "1", "entities": {"hashtags": [{"text": "a"}, {"text": "b"',
        '{"id_str": "1", "user": {"id_str": "2"}, "x": [1, 2,, 3]}',
        '{"id_str": "1", "x": {"y": [{"z": "\\q"}]}} ',
        '{"id_str": "1", "x": "\\u12"}',
        '"just a string"',
        "5",
        json.dumps({**base, "text": HOSTILE_TEXT}),
    ]
    for path in ("id_str", "timestamp_ms", "text", "lang", "retweeted_status"):
        out += [json.dumps({**base, path: v}) for v in ODD_VALUES]
    for field in ("id_str", "screen_name", "followers_count", "verified", "name"):
        out += [json.dumps({**base, "user": {**base["user"], field: v}}) for v in ODD_VALUES]
    out += [json.dumps({**base, "user": v}) for v in ODD_VALUES]
    out += [json.dumps({**base, "entities": v}) for v in ODD_VALUES]
    for name in ("hashtags", "user_mentions", "urls", "symbols"):
        out += [json.dumps({**base, "entities": {name: v}}) for v in LISTS]
    not_utf8 = [
        b'{"id_str": "1", "text": "a\xffb\xc3", "user": {"screen_name": "\xe2\x82"}}',
        b'{"id_str": "1", "x": "\xfe\xff", "text": "after"}',
        b'{"id_str": "1", "timestamp_ms": 7, "text": "\xf0\x9f\x94\xa5 \xf0\x9f"}',
        b'{"id_str": "\xc0\xaf", "text": "\xed\xa0\x80 overlong and surrogate"}',
        b'{"id_str": "\\n\xc0\xaf", "text": "\\t\xed\xa0\x80 and escapes"}',
        b"\xef\xbb\xbf" + json.dumps(base).encode(),  # a byte-order mark
        json.dumps(base).encode("utf-16"),
        json.dumps(base).encode("utf-32-le"),
        b'{\x00"\x00i\x00d\x00_\x00s\x00t\x00r\x00"\x00:\x001\x00}\x00',
    ]
    return (
        [raw for raw, _ in BAD_RECORDS]
        + not_utf8
        + [None if text is None else text.encode() for text in out]
    )


def random_payloads(count: int, seed: int) -> list[bytes]:
    """Tweets with random JSON values swapped in at random places, some fields dropped."""
    rng = random.Random(seed)

    def value(depth: int = 0) -> Any:
        kind = rng.randrange(8 if depth < 2 else 5)
        if kind == 0:
            return None
        if kind == 1:
            return rng.choice([True, False])
        if kind == 2:
            return rng.choice(
                [rng.randint(-(10**15), 10**15), rng.random() * 10 ** rng.randint(-3, 20)]
            )
        if kind in (3, 4):
            return "".join(rng.choice('ab #é🔥\u202e"\\\n0123') for _ in range(rng.randrange(6)))
        if kind in (5, 6):
            return [value(depth + 1) for _ in range(rng.randrange(3))]
        return {rng.choice(["text", "id_str", "x", "screen_name"]): value(depth + 1)}

    fields = ["id_str", "timestamp_ms", "text", "lang", "user", "entities", "retweeted_status"]
    out = []
    for _ in range(count):
        tweet: dict[str, Any] = {f: value() for f in fields if rng.random() < 0.8}
        if rng.random() < 0.5:
            tweet["user"] = {
                k: value() for k in ("id_str", "screen_name", "verified", "followers_count")
            }
        if rng.random() < 0.5:
            tweet["entities"] = {"hashtags": [{"text": value()} for _ in range(rng.randrange(4))]}
        out.append(json.dumps(tweet, ensure_ascii=rng.random() < 0.5).encode())
    return out


def test_tweet_fields_equal_the_json_functions(stack: LocalStack, tmp_path: Path) -> None:
    config = replace(stack.job_config(), log_dir=tmp_path / "logs", checkpoint_dir=tmp_path / "chk")
    env = runtime.table_environment(config)
    env.get_config().set("restart-strategy.type", "none")  # a failure fails the test
    # The 1 MB text of a bad record comes back three times in one row.
    env.get_config().set("collect-sink.batch-size.max", "16mb")
    for path in catalog.FUNCTIONS:
        env.execute_sql(sql_template.load(path, config.sql_params()))
    raws = edge_payloads() + random_payloads(400, seed=8)
    from pyflink.table import DataTypes

    table = env.from_elements(
        [(i, None if raw is None else bytearray(raw)) for i, raw in enumerate(raws)],
        DataTypes.ROW(
            [DataTypes.FIELD("i", DataTypes.INT()), DataTypes.FIELD("encoded", DataTypes.BYTES())]
        ),
    )
    env.create_temporary_view("encoded_payloads", table)
    # The text Flink gives the bytes, as a STRING column of them reads (invalid UTF-8 as
    # U+FFFD): what the built-ins read.
    env.execute_sql(
        "CREATE TEMPORARY VIEW payloads AS "
        "SELECT i, CAST(encoded AS STRING) AS payload, encoded FROM encoded_payloads"
    )
    # Each field three times: the built-in on the text, the function on the text, the function
    # on the bytes. As text (PyFlink cannot return arrays holding NULLs; Flink's array equality
    # is NULL when an element is).
    on_bytes = {"f.": "b.", "(payload)": "(encoded)"}

    def of_bytes(expression: str) -> str:
        for old, new in on_bytes.items():
            expression = expression.replace(old, new)
        return expression

    columns = ", ".join(
        f"CAST({old} AS STRING), CAST({new} AS STRING), CAST({of_bytes(new)} AS STRING)"
        for _, old, new in PAIRS
    )
    query = (
        f"SELECT i, {columns} FROM "
        "(SELECT *, TWEET_FIELDS(payload) AS f, TWEET_FIELDS(encoded) AS b FROM payloads)"
    )
    with env.execute_sql(query).collect() as rows:
        results = list(rows)
    assert len(results) == len(raws)
    differences = [
        (f"{name}{suffix}", row[1 + 3 * k], row[1 + 3 * k + way], raws[row[0]])
        for row in results
        for k, (name, _, _) in enumerate(PAIRS)
        for way, suffix in ((1, ""), (2, " from bytes"))
        if row[1 + 3 * k] != row[1 + 3 * k + way]
    ]
    # TWEET_TIMESTAMP stops at the field's first occurrence (TweetJson.topLevelValue).
    stops_early = {
        b'{"id_str": "1", "id_str": "2", "timestamp_ms": 5, "timestamp_ms": 6}': "5",
        b'{"id_str": "1", "timestamp_ms": 1767225600000, "text": "unterminated': "1767225600000",
    }
    stopped = []
    for name, old, new, raw in list(differences):
        if name.startswith("event_time_ms") and raw in stops_early:
            assert new == stops_early[raw], (raw, old, new)
            differences.remove((name, old, new, raw))
            stopped.append(raw)
    assert sorted(stopped) == sorted(2 * list(stops_early))  # from the text and the bytes
    assert not differences, "\n".join(map(repr, differences[:20]))
