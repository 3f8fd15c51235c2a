-- Options every Elasticsearch result table shares; each one copies them with
-- LIKE es_defaults and adds its own index. tweetflow's own connector (flink_jobs/java/,
-- docs/elasticsearch-sink.md) writes to Elasticsearch 7.17, 8.x, 9.x and OpenSearch alike.
-- Flushes every ${es_flush_interval} so a closed window is searchable about a second later;
-- what Elasticsearch cannot take yet (unreachable, 429, 5xx) is sent again with backoff while
-- the job waits; a document it rejects (a 4xx of its own) goes to the dead-letter index.
CREATE TABLE IF NOT EXISTS es_defaults WITH (
    'connector' = 'tweetflow-elasticsearch',
    'hosts' = '${es_hosts}',
    'sink.bulk-flush.interval' = '${es_flush_interval}',
    'sink.bulk-flush.max-actions' = '2000',
    'sink.bulk-flush.max-size' = '5mb',
    'sink.bulk-flush.backoff.strategy' = 'EXPONENTIAL',
    'sink.bulk-flush.backoff.max-retries' = '15',
    'sink.bulk-flush.backoff.delay' = '200ms',
    'sink.dead-letter-index' = '${es_index_prefix}rejected_documents',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);
