-- Elasticsearch index of the hashtags co-occurring most with each hashtag; the id uses the hashtag's MD5 so it stays under Elasticsearch's 512 bytes.
CREATE TABLE IF NOT EXISTS related_hashtags_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    hashtag_id STRING,
    hashtag STRING,
    `rank` BIGINT,
    related STRING,
    tweets BIGINT,
    PRIMARY KEY (window_start, hashtag_id, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}related_hashtags'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
