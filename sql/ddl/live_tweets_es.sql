-- Elasticsearch indexes of every tweet, for the live feeds: one index per day of event time
-- (live_tweets-YYYY.MM.DD), so retention deletes whole days (`tweetflow es prune`); a
-- replayed tweet overwrites itself.
CREATE TABLE IF NOT EXISTS live_tweets_es (
    id_str STRING,
    created_at TIMESTAMP_LTZ(3),
    user_id STRING,
    screen_name STRING,
    followers_count BIGINT,
    tweet_text STRING,
    hashtags ARRAY<STRING>,
    lang STRING,
    is_retweet BOOLEAN,
    PRIMARY KEY (id_str) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}live_tweets-{created_at|yyyy.MM.dd}'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
