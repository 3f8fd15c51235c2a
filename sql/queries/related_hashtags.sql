-- For every hashtag, the hashtags that co-occur with it most in the window (the top-hashtags
-- window), top ${top_related} each; ties by hashtag.
INSERT INTO related_hashtags_es
SELECT window_start, window_end, MD5(hashtag), hashtag, rn, related, tweets
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end, hashtag ORDER BY tweets DESC, related ASC) AS rn
    FROM (
        SELECT window_start, window_end, hashtag, related, COUNT(*) AS tweets
        FROM TABLE(HOP(TABLE tweet_hashtag_pairs, DESCRIPTOR(event_time),
            INTERVAL '${hashtag_slide_s}' SECOND(6), INTERVAL '${hashtag_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, hashtag, related
    )
)
WHERE rn <= CAST('${top_related}' AS INT);
