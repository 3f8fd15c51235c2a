-- TWEET_FIELDS(payload): every field parsed_tweets reads, as JSON_VALUE / JSON_QUERY would
-- return it, from one parse of the payload (flink_jobs/java/tweetflow/flink/TweetFields.java);
-- calling those functions per field parsed each tweet twenty-odd times.
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS tweet_fields
    AS 'tweetflow.flink.TweetFields' LANGUAGE JAVA;
