-- Elasticsearch index of tweet counts per tumbling window, one document per window size and start.
CREATE TABLE IF NOT EXISTS tweet_rate_es (
    window_seconds INT,
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    tweets BIGINT,
    PRIMARY KEY (window_seconds, window_start) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}tweet_rate'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
