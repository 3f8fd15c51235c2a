-- TRENDING(counts => TABLE t PARTITION BY term, ...): per key, its score against its own
-- exponentially weighted baseline and its lifecycle, a row for every bucket it trends in
-- (flink_jobs/java/tweetflow/flink/Trending.java and Trend.java; docs/queries.md, trending).
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS trending
    AS 'tweetflow.flink.Trending' LANGUAGE JAVA;
