-- Elasticsearch index of the most linked domains per window; keyed by rank.
CREATE TABLE IF NOT EXISTS top_domains_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    `rank` BIGINT,
    domain STRING,
    links BIGINT,
    PRIMARY KEY (window_start, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}top_domains'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
