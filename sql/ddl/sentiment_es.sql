-- Elasticsearch index of the sentiment of each window: average scores of the tweets that
-- could be scored, and tweets per label.
CREATE TABLE IF NOT EXISTS sentiment_es (
    window_start TIMESTAMP_LTZ(3),
    window_end TIMESTAMP_LTZ(3),
    tweets BIGINT,
    scored BIGINT,
    avg_compound DOUBLE,
    avg_positive DOUBLE,
    avg_negative DOUBLE,
    avg_neutral DOUBLE,
    positive BIGINT,
    negative BIGINT,
    neutral BIGINT,
    mixed BIGINT,
    PRIMARY KEY (window_start) NOT ENFORCED
) WITH (
    'index' = '${es_index_prefix}sentiment'
) LIKE es_defaults (EXCLUDING ALL INCLUDING OPTIONS);
