-- One row per (tweet, hashtag) with the tweet's sentiment, hashtags lower-cased.
CREATE TEMPORARY VIEW tweet_hashtag_sentiment AS
SELECT t.id_str, t.event_time, LOWER(h.tag) AS hashtag, t.label, t.compound
FROM tweet_sentiment AS t
CROSS JOIN UNNEST(t.hashtags) AS h (tag);
