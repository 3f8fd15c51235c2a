-- The tracked-tweets topic: key = the matched term, value = the canonical tweet unchanged.
CREATE TABLE IF NOT EXISTS tracked_kafka (
    term STRING,
    payload STRING
) WITH (
    'connector' = 'kafka',
    'topic' = '${kafka_tracked_topic}',
    'properties.bootstrap.servers' = '${kafka_bootstrap}',
    'key.format' = 'raw',
    'key.fields' = 'term',
    'value.format' = 'raw',
    'value.fields-include' = 'EXCEPT_KEY'
);
