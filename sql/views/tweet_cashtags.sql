-- One row per (tweet, cashtag), upper-cased as tickers are written.
CREATE TEMPORARY VIEW tweet_cashtags AS
SELECT t.id_str, t.event_time, UPPER(c.symbol) AS cashtag
FROM tweets AS t
CROSS JOIN UNNEST(t.cashtags) AS c (symbol);
