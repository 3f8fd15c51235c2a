-- Elasticsearch index of the most-followed authors per hashtag; keyed by the hashtag's MD5 and rank.
CREATE TABLE IF NOT EXISTS influencers_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    hashtag_id STRING,
    hashtag STRING,
    `rank` BIGINT,
    user_id STRING,
    screen_name STRING,
    followers BIGINT,
    PRIMARY KEY (window_start, hashtag_id, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}influencers'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
