-- The tweets topic as raw bytes: every record reaches SQL, so a malformed one can be
-- dead-lettered instead of vanishing inside a JSON decoder; the functions parse the UTF-8 as
-- Kafka holds it (as STRING, every payload was decoded into a Java String first). Event time
-- comes from the JSON's timestamp_ms (TWEET_TIMESTAMP, sql/ddl/tweet_timestamp_function.sql);
-- a record without one, or one further ahead of the clock than the job's tolerance, gets
-- epoch 0, which never advances the watermark: a single tweet dated 2100 would otherwise make
-- every later tweet late. With group-offsets, a group that has committed nothing yet starts
-- at the earliest offset.
CREATE TABLE IF NOT EXISTS raw_tweets (
    payload BYTES,
    kafka_partition INT METADATA FROM 'partition' VIRTUAL,
    kafka_offset BIGINT METADATA FROM 'offset' VIRTUAL,
    arrival AS PROCTIME(),
    event_time AS COALESCE(
        TO_TIMESTAMP_LTZ(
            CASE
                WHEN TRY_CAST(TWEET_TIMESTAMP(payload) AS BIGINT)
                    > (UNIX_TIMESTAMP() + CAST('${future_tolerance_s}' AS BIGINT)) * 1000 THEN 0
                ELSE TRY_CAST(TWEET_TIMESTAMP(payload) AS BIGINT)
            END,
            3
        ),
        TO_TIMESTAMP_LTZ(0, 3)
    ),
    WATERMARK FOR event_time AS event_time - INTERVAL '${watermark_delay_s}' SECOND
) WITH (
    'topic' = '${kafka_topic}',
    'properties.group.id' = '${kafka_group_id}',
    'scan.startup.mode' = '${scan_startup_mode}',
    'properties.auto.offset.reset' = 'earliest',
    'scan.startup.timestamp-millis' = '${scan_startup_timestamp_ms}',
    'scan.bounded.mode' = '${scan_bounded_mode}',
    'format' = 'raw'
) LIKE kafka_defaults (EXCLUDING ALL INCLUDING OPTIONS);
