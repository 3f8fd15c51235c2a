-- The tracked-tweets topic: key = the matched term, value = the canonical tweet unchanged.
CREATE TABLE IF NOT EXISTS tracked_kafka (
    term STRING,
    payload BYTES
) WITH (
    'topic' = '${kafka_tracked_topic}',
    'key.format' = 'raw',
    'key.fields' = 'term',
    'value.format' = 'raw',
    'value.fields-include' = 'EXCEPT_KEY'
) LIKE kafka_defaults (EXCLUDING ALL INCLUDING OPTIONS);
