-- Options every Elasticsearch result table shares; each one copies them with
-- LIKE es_defaults and adds its own index. Flushes every ${es_flush_interval} so a closed
-- window is searchable about a second later; failed bulk requests are retried with backoff.
CREATE TABLE IF NOT EXISTS es_defaults WITH (
    'connector' = 'elasticsearch-7',
    'hosts' = '${es_hosts}',
    'sink.bulk-flush.interval' = '${es_flush_interval}',
    'sink.bulk-flush.max-actions' = '2000',
    'sink.bulk-flush.max-size' = '5mb',
    'sink.bulk-flush.backoff.strategy' = 'EXPONENTIAL',
    'sink.bulk-flush.backoff.max-retries' = '10',
    'sink.bulk-flush.backoff.delay' = '200ms',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);
