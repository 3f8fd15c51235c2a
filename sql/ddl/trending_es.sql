-- Elasticsearch index of the trending keys per bucket; keyed by rank, like the other top-N.
CREATE TABLE IF NOT EXISTS trending_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    `rank` BIGINT,
    term STRING,
    kind STRING,
    phase STRING,
    score DOUBLE,
    authors BIGINT,
    tweets BIGINT,
    baseline DOUBLE,
    peak BIGINT,
    since TIMESTAMP_LTZ(3),
    PRIMARY KEY (window_start, `rank`) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}trending'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
