"""tweetflow's Elasticsearch connector ('tweetflow-elasticsearch', flink_jobs/java/) on its own:
small SQL jobs on the embedded mini-cluster writing to the stack's real Elasticsearch node,
directly or through a proxy that answers as an overloaded cluster does. The whole pipeline's
exactness through it is test_analytics_exact.py's; an outage, test_faults.py's."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from flink_jobs import es_templates
from tests.support import sql_job
from tests.support.es_faults import FaultyElasticsearch, Plan
from tweetflow.stack import process
from tweetflow.stack.stack import LocalStack

pytestmark = pytest.mark.integration

DAY_1, DAY_2 = 1767225600000, 1767312000000  # 2026-01-01 and 2026-01-02, 00:00 UTC


@pytest.fixture(scope="module")
def jar(stack: LocalStack) -> Path:
    return stack.functions_jar(stack.java())


@pytest.fixture
def prefix() -> str:
    return f"s{uuid.uuid4().hex[:8]}_"


@pytest.fixture
def es(stack: LocalStack) -> Elasticsearch:
    return Elasticsearch(stack.settings.es_url)


@pytest.fixture
def faulty(stack: LocalStack) -> Iterator[Callable[[Plan], FaultyElasticsearch]]:
    proxies: list[FaultyElasticsearch] = []

    def start(plan: Plan) -> FaultyElasticsearch:
        s = stack.settings
        proxies.append(FaultyElasticsearch((s.host, s.es_port), plan))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.close()


def table(name: str, columns: str, hosts: str, index: str, **options: str) -> str:
    options = {
        "connector": "tweetflow-elasticsearch", "hosts": hosts, "index": index,
        "sink.bulk-flush.interval": "200ms", "json.timestamp-format.standard": "ISO-8601",
        **options,
    }  # fmt: skip
    listed = ",\n".join(f"'{key}' = '{value}'" for key, value in options.items())
    return f"CREATE TABLE {name} ({columns}) WITH (\n{listed}\n);\n"


def kv_table(hosts: str, prefix: str, **options: str) -> str:
    """A keyed table retrying quickly, as the fault tests want."""
    columns = "k STRING, v BIGINT, PRIMARY KEY (k) NOT ENFORCED"
    options = {"sink.bulk-flush.backoff.delay": "50ms", **options}
    return table("kv_es", columns, hosts, prefix + "kv", **options)


def documents(es: Elasticsearch, index: str) -> dict[str, dict[str, Any]]:
    es.indices.refresh(index=index)
    hits = es.search(index=index, query={"match_all": {}}, size=100)["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


@dataclass(frozen=True)
class SharedRun:
    """One job writing three tables (a JVM start each would cost ~10 s): what it left."""

    prefix: str
    status: int
    output: str
    log: str
    proxy_bulks: list[str]


PROXY_ANSWERS = ["429", "503", "item-429"]


@pytest.fixture(scope="module")
def shared(
    stack: LocalStack, jar: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedRun]:
    """counts_es: a changelog ('a' counted twice: an update; 'c' three times, which HAVING
    drops: a delete) into daily indexes. typed_es: one value its index's mapping refuses.
    kv_es: through a proxy answering 429, then 503, then one item's 429."""
    prefix, url = f"s{uuid.uuid4().hex[:8]}_", stack.settings.es_url
    es_templates.install(url, prefix)  # as the job does: rejected_documents' mapping
    Elasticsearch(url).indices.create(
        index=prefix + "typed", mappings={"properties": {"n": {"type": "integer"}}}
    )
    s = stack.settings
    proxy = FaultyElasticsearch(
        (s.host, s.es_port), lambda n: PROXY_ANSWERS[n] if n < len(PROXY_ANSWERS) else "forward"
    )
    counts = "k STRING, day_at TIMESTAMP_LTZ(3), n BIGINT, PRIMARY KEY (k, day_at) NOT ENFORCED"
    script = (
        table("counts_es", counts, url, prefix + "counts-{day_at|yyyy.MM.dd}")
        + table("typed_es", "k STRING, n STRING, PRIMARY KEY (k) NOT ENFORCED", url,
                prefix + "typed", **{"sink.dead-letter-index": prefix + "rejected_documents"})
        + kv_table(proxy.url, prefix)
        + f"""EXECUTE STATEMENT SET BEGIN
INSERT INTO counts_es
SELECT k, TO_TIMESTAMP_LTZ(ms, 3), COUNT(*) FROM (VALUES
  ('a', {DAY_1}), ('b', {DAY_2}), ('a', {DAY_1}), ('c', {DAY_1}), ('c', {DAY_1}), ('c', {DAY_1})
) AS t(k, ms) GROUP BY k, ms HAVING COUNT(*) < 3;
INSERT INTO typed_es VALUES ('a', '1'), ('b', 'not a number'), ('c', '3');
INSERT INTO kv_es VALUES ('a', 1), ('b', 2), ('c', 3);
END;
"""
    )  # fmt: skip
    directory = tmp_path_factory.mktemp("shared-job")
    try:
        status, output = sql_job.run(script, jar, directory)
        yield SharedRun(prefix, status, output, sql_job.flink_log(directory), proxy.bulks)
    finally:
        proxy.close()


def test_upserts_and_deletes_by_primary_key_into_daily_indexes(
    shared: SharedRun, es: Elasticsearch
) -> None:
    """Ids are the key's fields joined by '_'; 'c' was written, then deleted."""
    assert shared.status == 0, shared.output[-3000:]
    prefix = shared.prefix
    assert documents(es, prefix + "counts-2026.01.01") == {
        "a_2026-01-01T00:00": {"k": "a", "day_at": "2026-01-01T00:00:00Z", "n": 2},
    }
    assert list(documents(es, prefix + "counts-2026.01.02")) == ["b_2026-01-02T00:00"]


def test_a_document_elasticsearch_rejects_is_dead_lettered_and_the_rest_written(
    shared: SharedRun, es: Elasticsearch
) -> None:
    assert shared.status == 0, shared.output[-3000:]
    prefix = shared.prefix
    assert documents(es, prefix + "typed") == {"a": {"k": "a", "n": "1"}, "c": {"k": "c", "n": "3"}}
    [rejected] = documents(es, prefix + "rejected_documents").values()
    assert rejected["index"] == prefix + "typed" and rejected["document_id"] == "b"
    assert rejected["status"] == 400 and rejected["action"] == "index"
    assert "parsing_exception" in rejected["reason"], rejected["reason"]
    assert rejected["document"] == '{"k":"b","n":"not a number"}'
    assert f"rejected document b of index {prefix}typed (400)" in shared.log


def test_the_dead_letter_summary_shows_what_elasticsearch_refused(
    shared: SharedRun, stack: LocalStack
) -> None:
    env = process.child_environment() | stack.settings.as_env()
    env["TWEETFLOW_TOPIC"] = f"{shared.prefix}tweets"  # no dead letters of the topic
    command = [sys.executable, "-m", "tweetflow.cli", "dead-letters", "--prefix", shared.prefix]
    ran = [
        subprocess.run(command + extra, env=env, capture_output=True, text=True, timeout=120)
        for extra in (["--json"], [])
    ]
    assert [done.returncode for done in ran] == [0, 0], ran[0].stderr[-2000:]
    [refused] = json.loads(ran[0].stdout)["rejected_documents"]
    assert refused["index"] == shared.prefix + "typed" and refused["status"] == 400
    assert refused["count"] == 1 and "parsing_exception" in refused["newest_reason"]
    text = ran[1].stdout
    assert "1 result documents Elasticsearch refused (kept in rejected_documents):" in text
    assert f"        1  {shared.prefix}typed (400)  " in text


def test_429_and_503_are_sent_again_until_elasticsearch_takes_them(
    shared: SharedRun, es: Elasticsearch
) -> None:
    assert shared.status == 0, shared.output[-3000:]
    assert documents(es, shared.prefix + "kv") == {
        "a": {"k": "a", "v": 1}, "b": {"k": "b", "v": 2}, "c": {"k": "c", "v": 3},
    }  # fmt: skip
    bulks = shared.proxy_bulks
    assert bulks[:3] == PROXY_ANSWERS and bulks[3:] and set(bulks[3:]) == {"forward"}
    assert "answered 429" in shared.log and "documents again in" in shared.log
    assert "switched from state RUNNING to RESTARTING" not in shared.log


def test_past_the_retry_limit_the_job_fails_saying_which_option_to_change(
    jar: Path, prefix: str, tmp_path: Path, faulty: Callable[[Plan], FaultyElasticsearch]
) -> None:
    proxy = faulty(lambda n: "503")
    script = kv_table(proxy.url, prefix, **{"sink.bulk-flush.backoff.max-retries": "2"})
    script += "INSERT INTO kv_es VALUES ('a', 1);\n"
    status, output = sql_job.run(script, jar, tmp_path)
    assert status == 1
    assert "could not take 1 documents after 2 retries" in output, output[-3000:]
    assert "'sink.bulk-flush.backoff.max-retries'" in output and "answered 503" in output
    assert len(proxy.bulks) == 3  # the first request and two retries


def test_a_host_without_its_scheme_is_refused_before_the_job_starts(
    jar: Path, tmp_path: Path
) -> None:
    script = table("kv_es", "k STRING", "localhost:9200", "kv")
    script += "INSERT INTO kv_es VALUES ('a');\n"
    status, output = sql_job.run(script, jar, tmp_path)
    assert status == 1
    assert "'hosts': 'localhost:9200' is not http(s)://host:port" in output, output[-3000:]
