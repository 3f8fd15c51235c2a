-- The good tweets as they arrive, repeats included, with what the duplicate filter
-- (views/tweets.sql) partitions them by: the minute of their event time (a repeat of a tweet
-- carries its timestamp_ms, so it falls in the same minute) times 128 plus one of 128 shards of
-- the id, so a minute's ids spread over every parallel instance. One column: a view whose
-- PARTITION BY lists two fails to expand in Flink 2.2 (SqlIdentifier cannot be cast to
-- SqlCall). TALLY counts the tweets (tweetflow_tweetsReceived).
CREATE TEMPORARY VIEW received_tweets AS
SELECT TALLY('tweetsReceived', id_str) AS id_str, event_time, timestamp_ms, tweet_text, lang,
    user_id, screen_name, user_name, followers_count, friends_count, statuses_count, verified,
    location, description, hashtags, mentions, urls, cashtags, is_retweet, payload,
    timestamp_ms / 60000 * 128 + MOD(ABS(HASH_CODE(id_str)), 128) AS id_bucket
FROM parsed_tweets
WHERE error_reason IS NULL;
