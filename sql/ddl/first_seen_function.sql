-- FIRST_SEEN(tweets => TABLE t PARTITION BY id_bucket, horizon => '5 min'): each tweet of t
-- whose id_str its partition has not seen, the partition column left out, event_time still
-- the time attribute; a partition (a minute of event time, a shard of ids) is forgotten at
-- once when the watermark passes that minute's end plus the horizon
-- (flink_jobs/java/tweetflow/flink/FirstSeen.java).
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS first_seen
    AS 'tweetflow.flink.FirstSeen' LANGUAGE JAVA;
