-- The good tweets, each once: what every analytic query reads. A tweet whose id came by
-- before (an archive replayed twice, a stream reconnect that re-sends) is dropped, so nothing
-- is counted twice. FIRST_SEEN (sql/ddl/first_seen_function.sql) keeps the ids of each minute
-- of event time until the watermark is the job's dedup horizon past that minute's end, then
-- forgets the minute at once: a repeat is dropped if it comes before then, late or not. TALLY
-- counts the tweets after the filter (tweetflow_tweetsUnique); received − unique is the
-- duplicates dropped.
CREATE TEMPORARY VIEW tweets AS
SELECT TALLY('tweetsUnique', id_str) AS id_str, event_time, timestamp_ms,
    tweet_text, lang, user_id, screen_name, user_name, followers_count, friends_count,
    statuses_count, verified, location, description, hashtags, mentions, urls, cashtags,
    is_retweet, payload
FROM FIRST_SEEN(
    tweets => TABLE received_tweets PARTITION BY id_bucket,
    horizon => '${dedup_horizon}',
    uid => 'first_seen'
);
