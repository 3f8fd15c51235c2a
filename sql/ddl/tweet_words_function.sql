-- TWEET_WORDS(text, stop_words): a tweet's words in order, lower-cased, URLs, mentions,
-- hashtags, one-character words and stop words left out
-- (flink_jobs/java/tweetflow/flink/TweetWords.java).
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS tweet_words
    AS 'tweetflow.flink.TweetWords' LANGUAGE JAVA;
