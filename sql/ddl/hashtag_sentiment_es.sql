-- Elasticsearch index of the sentiment of the top hashtags of each window; keyed by rank.
CREATE TABLE IF NOT EXISTS hashtag_sentiment_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    `rank` BIGINT,
    hashtag STRING,
    tweets BIGINT,
    scored BIGINT,
    avg_compound DOUBLE,
    positive BIGINT,
    negative BIGINT,
    neutral BIGINT,
    mixed BIGINT,
    PRIMARY KEY (window_start, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}hashtag_sentiment'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
