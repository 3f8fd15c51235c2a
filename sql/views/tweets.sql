-- The good tweets, each once: what every analytic query reads. A tweet whose id came by
-- before (an archive replayed twice, a stream reconnect that re-sends) is dropped, so nothing
-- is counted twice; ids are remembered for the job's state TTL (table.exec.state.ttl, the
-- dedup horizon) of processing time. TALLY counts the good records before the filter
-- (tweetflow_tweetsReceived) and the tweets after it (tweetflow_tweetsUnique): the difference
-- is the duplicates dropped.
CREATE TEMPORARY VIEW tweets AS
SELECT TALLY('tweetsUnique', id_str) AS id_str, event_time, timestamp_ms, tweet_text, lang,
    user_id, screen_name, user_name, followers_count, friends_count, statuses_count, verified,
    location, description, hashtags, mentions, urls, cashtags, is_retweet, payload
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY TALLY('tweetsReceived', id_str) ORDER BY arrival ASC
    ) AS rn
    FROM parsed_tweets
    WHERE error_reason IS NULL
)
WHERE rn = 1;
