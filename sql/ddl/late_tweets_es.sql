-- Elasticsearch index of late tweets (older than the watermark on arrival), keyed by tweet id.
CREATE TABLE IF NOT EXISTS late_tweets_es (
    id_str STRING,
    created_at TIMESTAMP_LTZ(3),
    watermark_at TIMESTAMP_LTZ(3),
    user_id STRING,
    screen_name STRING,
    PRIMARY KEY (id_str) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}late_tweets'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
