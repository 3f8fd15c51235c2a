-- Elasticsearch index of the most frequent words per window.
CREATE TABLE IF NOT EXISTS word_counts_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    `rank` BIGINT,
    word STRING,
    occurrences BIGINT,
    PRIMARY KEY (window_start, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}word_counts'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
