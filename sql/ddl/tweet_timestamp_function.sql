-- TWEET_TIMESTAMP(payload): JSON_VALUE(payload, '$.timestamp_ms') read by streaming to the
-- field, building nothing (flink_jobs/java/tweetflow/flink/TweetTimestamp.java): event time.
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS tweet_timestamp
    AS 'tweetflow.flink.TweetTimestamp' LANGUAGE JAVA;
