-- Elasticsearch index of tweet counts per cashtag per window.
CREATE TABLE IF NOT EXISTS cashtags_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    cashtag STRING,
    tweets BIGINT,
    PRIMARY KEY (window_start, cashtag) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}cashtags'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
