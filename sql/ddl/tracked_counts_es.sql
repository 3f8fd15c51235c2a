-- Elasticsearch index of tracked tweets per term per window.
CREATE TABLE IF NOT EXISTS tracked_counts_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    term STRING,
    tweets BIGINT,
    PRIMARY KEY (window_start, term) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}tracked_counts'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
