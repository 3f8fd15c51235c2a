-- TREND_KEYS(text, hashtags, stop_words): a tweet's hashtags ('#' and lower-cased), words and
-- two-word phrases, each once; words as tweet_words finds them
-- (flink_jobs/java/tweetflow/flink/TrendKeys.java).
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS trend_keys
    AS 'tweetflow.flink.TrendKeys' LANGUAGE JAVA;
