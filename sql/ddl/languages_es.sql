-- Elasticsearch index of tweet counts per language per window.
CREATE TABLE IF NOT EXISTS languages_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    lang STRING,
    tweets BIGINT,
    PRIMARY KEY (window_start, lang) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}languages'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
