-- Elasticsearch index of the top hashtags per sliding window; keyed by rank, so ids stay short whatever the hashtag.
CREATE TABLE IF NOT EXISTS top_hashtags_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    `rank` BIGINT,
    hashtag STRING,
    tweets BIGINT,
    PRIMARY KEY (window_start, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}top_hashtags'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
