-- One row per (tweet, key) for trending: each of its hashtags ('#flink'), words and two-word
-- phrases once, with the author; words as in tweet_words.
CREATE TEMPORARY VIEW tweet_trend_keys AS
SELECT t.event_time, t.user_id, k.term
FROM tweets AS t
CROSS JOIN UNNEST(TREND_KEYS(t.tweet_text, t.hashtags, '${stop_words}')) AS k (term);
