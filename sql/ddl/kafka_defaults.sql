-- Options every Kafka table shares (the topic, its dead letters, the tracked tweets); each one
-- copies them with LIKE kafka_defaults and adds its own topic and format.
CREATE TABLE IF NOT EXISTS kafka_defaults WITH (
    'connector' = 'kafka',
    'properties.bootstrap.servers' = '${kafka_bootstrap}'
);
