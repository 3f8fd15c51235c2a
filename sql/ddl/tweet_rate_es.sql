-- Elasticsearch index of tweets per tumbling window; the primary key makes replays upsert.
CREATE TABLE IF NOT EXISTS tweet_rate_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    tweets BIGINT,
    PRIMARY KEY (window_start) NOT ENFORCED
) WITH (
    'connector' = 'elasticsearch-7',
    'hosts' = '${es_hosts}',
    'index' = '${es_index_prefix}tweet_rate',
    'sink.bulk-flush.interval' = '${es_flush_interval}',
    'sink.bulk-flush.max-actions' = '1000',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);
