-- The archive: every good tweet with its sentiment as Parquet (Snappy) under ${archive_path},
-- in Hive-style partitions dt=YYYY-MM-DD/hr=HH of event time (UTC). Files are finished and
-- made visible only at checkpoints (until then they are hidden in-progress files), and roll
-- at ${archive_file_size} or every ${archive_rollover}; a partition gets _SUCCESS when its
-- hour has passed.
CREATE TABLE IF NOT EXISTS archive_fs (
    id_str STRING,
    event_time TIMESTAMP_LTZ(3),
    timestamp_ms BIGINT,
    user_id STRING,
    screen_name STRING,
    followers_count BIGINT,
    tweet_text STRING,
    lang STRING,
    hashtags ARRAY<STRING>,
    mentions ARRAY<STRING>,
    urls ARRAY<STRING>,
    cashtags ARRAY<STRING>,
    is_retweet BOOLEAN,
    sentiment_label STRING,
    sentiment_positive DOUBLE,
    sentiment_negative DOUBLE,
    sentiment_neutral DOUBLE,
    sentiment_compound DOUBLE,
    payload STRING,
    dt STRING,
    hr STRING
) PARTITIONED BY (dt, hr) WITH (
    'connector' = 'filesystem',
    'path' = '${archive_path}',
    'format' = 'parquet',
    'parquet.compression' = 'SNAPPY',
    'sink.rolling-policy.file-size' = '${archive_file_size}',
    'sink.rolling-policy.rollover-interval' = '${archive_rollover}',
    'sink.rolling-policy.check-interval' = '1 min',
    'sink.partition-commit.trigger' = 'partition-time',
    'sink.partition-commit.delay' = '1 h',
    'sink.partition-commit.watermark-time-zone' = 'UTC',
    'partition.time-extractor.timestamp-pattern' = '$dt $hr:00:00',
    'sink.partition-commit.policy.kind' = 'success-file'
);
