-- Per key and bucket of ${trend_slide_s} s: its distinct authors and its tweets. A bucket with
-- fewer than ${trend_floor} authors is left out (TRENDING counts it as 0): most keys of a
-- minute are one author's, and leaving them out bounds the keys TRENDING keeps.
CREATE TEMPORARY VIEW trend_buckets AS
SELECT term, window_time, COUNT(DISTINCT user_id) AS authors, COUNT(*) AS tweets
FROM TABLE(TUMBLE(TABLE tweet_trend_keys, DESCRIPTOR(event_time),
    INTERVAL '${trend_slide_s}' SECOND(6)))
GROUP BY window_start, window_end, window_time, term
HAVING COUNT(DISTINCT user_id) >= CAST('${trend_floor}' AS INT);
