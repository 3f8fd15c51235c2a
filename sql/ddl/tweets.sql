-- The Kafka source of canonical tweets (producer/SCHEMA.md), with event time from timestamp_ms.
CREATE TABLE IF NOT EXISTS tweets (
    id_str STRING,
    created_at STRING,
    timestamp_ms BIGINT,
    `text` STRING,
    lang STRING,
    `user` ROW<
        id_str STRING,
        screen_name STRING,
        name STRING,
        followers_count BIGINT,
        friends_count BIGINT,
        statuses_count BIGINT,
        verified BOOLEAN
    >,
    entities ROW<
        hashtags ARRAY<ROW<`text` STRING>>,
        user_mentions ARRAY<ROW<screen_name STRING>>,
        urls ARRAY<ROW<expanded_url STRING>>,
        symbols ARRAY<ROW<`text` STRING>>
    >,
    event_time AS TO_TIMESTAMP_LTZ(timestamp_ms, 3),
    WATERMARK FOR event_time AS event_time - INTERVAL '${watermark_delay_s}' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '${kafka_topic}',
    'properties.bootstrap.servers' = '${kafka_bootstrap}',
    'properties.group.id' = '${kafka_group_id}',
    'scan.startup.mode' = '${scan_startup_mode}',
    'scan.bounded.mode' = '${scan_bounded_mode}',
    'format' = 'json',
    'json.fail-on-missing-field' = 'false',
    'json.ignore-parse-errors' = 'true'
);
