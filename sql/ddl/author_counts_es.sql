-- Elasticsearch index of the top authors per window, one document per window kind, window and rank.
CREATE TABLE IF NOT EXISTS author_counts_es (
    window_kind STRING,
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    `rank` BIGINT,
    user_id STRING,
    screen_name STRING,
    tweets BIGINT,
    PRIMARY KEY (window_kind, window_start, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}author_counts'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
