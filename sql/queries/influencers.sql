-- For every hashtag, the most-followed authors who used it in the window (the top-hashtags
-- window), top ${top_influencers} each; ties by screen name.
INSERT INTO influencers_es
SELECT window_start, window_end, MD5(hashtag), hashtag, rn, user_id, screen_name, followers
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end, hashtag
        ORDER BY followers DESC, screen_name ASC) AS rn
    FROM (
        SELECT window_start, window_end, hashtag, user_id, MAX(screen_name) AS screen_name,
            MAX(followers_count) AS followers
        FROM TABLE(HOP(TABLE tweet_hashtags, DESCRIPTOR(event_time),
            INTERVAL '${hashtag_slide_s}' SECOND(6), INTERVAL '${hashtag_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, hashtag, user_id
    )
)
WHERE rn <= CAST('${top_influencers}' AS INT);
