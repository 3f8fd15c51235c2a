-- Elasticsearch index of how many records were dead-lettered, per reason.
CREATE TABLE IF NOT EXISTS dead_letter_counts_es (
    reason STRING,
    records BIGINT,
    PRIMARY KEY (reason) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}dead_letter_counts'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
