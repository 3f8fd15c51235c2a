-- The dead-letter topic, shared with the producer: the reason, where the record was, and
-- the record unchanged.
CREATE TABLE IF NOT EXISTS dead_letters_kafka (
    reason STRING,
    `position` STRING,
    `raw` STRING
) WITH (
    'topic' = '${kafka_dead_letter_topic}',
    'format' = 'json'
) LIKE kafka_defaults (EXCLUDING ALL INCLUDING OPTIONS);
