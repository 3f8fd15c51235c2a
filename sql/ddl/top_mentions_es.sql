-- Elasticsearch index of the most mentioned users per window; keyed by rank.
CREATE TABLE IF NOT EXISTS top_mentions_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    `rank` BIGINT,
    mention STRING,
    mentions BIGINT,
    PRIMARY KEY (window_start, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}top_mentions'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
