-- Elasticsearch index of the latest profile per author (the newest tweet wins).
CREATE TABLE IF NOT EXISTS users_es (
    user_id STRING,
    screen_name STRING,
    user_name STRING,
    followers_count BIGINT,
    friends_count BIGINT,
    statuses_count BIGINT,
    verified BOOLEAN,
    location STRING,
    description STRING,
    last_tweet_at TIMESTAMP_LTZ(3),
    PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}users'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
