-- Elasticsearch index of the good records received per minute, repeats included: against
-- tweet_rate's minute counts (each tweet once) it shows how many the duplicate filter dropped.
CREATE TABLE IF NOT EXISTS received_counts_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    records BIGINT,
    PRIMARY KEY (window_start) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}received_counts'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
