-- Elasticsearch index of tweet counts in the sliding (hopping) window, one document per window.
CREATE TABLE IF NOT EXISTS tweet_rolling_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    tweets BIGINT,
    PRIMARY KEY (window_start) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}tweet_rolling'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
