-- HASHTAG_SUMMARY(...): a window's top hashtags, each with its related hashtags and
-- most-followed authors, from one summary per slice whose size a setting bounds
-- (flink_jobs/java/tweetflow/flink/HashtagSummary.java); as window aggregates per hashtag,
-- per pair and per author their state grew with distinct hashtags times overlapping windows.
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS hashtag_summary
    AS 'tweetflow.flink.HashtagSummary' LANGUAGE JAVA;
