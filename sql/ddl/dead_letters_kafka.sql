-- The dead-letter topic, shared with the producer: the reason, where the record was, and
-- the record unchanged.
CREATE TABLE IF NOT EXISTS dead_letters_kafka (
    reason STRING,
    `position` STRING,
    `raw` STRING
) WITH (
    'connector' = 'kafka',
    'topic' = '${kafka_dead_letter_topic}',
    'properties.bootstrap.servers' = '${kafka_bootstrap}',
    'format' = 'json'
);
