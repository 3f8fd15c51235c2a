-- The top hashtags (lower-cased) per window of ${hashtag_window_s} s sliding every
-- ${hashtag_slide_s} s (default 1 hour every minute); ties by hashtag.
INSERT INTO top_hashtags_es
SELECT window_start, window_end, rn, hashtag, tweets
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end ORDER BY tweets DESC, hashtag ASC) AS rn
    FROM (
        SELECT window_start, window_end, hashtag, COUNT(*) AS tweets
        FROM TABLE(HOP(TABLE tweet_hashtags, DESCRIPTOR(event_time),
            INTERVAL '${hashtag_slide_s}' SECOND(6), INTERVAL '${hashtag_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, hashtag
    )
)
WHERE rn <= CAST('${top_hashtags}' AS INT);
