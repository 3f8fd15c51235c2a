-- One row per (tweet, hashtag), hashtags lower-cased so #Flink and #flink count together.
CREATE TEMPORARY VIEW tweet_hashtags AS
SELECT t.id_str, t.event_time, t.user_id, t.screen_name, t.followers_count, t.hashtags,
    LOWER(h.tag) AS hashtag
FROM tweets AS t
CROSS JOIN UNNEST(t.hashtags) AS h (tag);
