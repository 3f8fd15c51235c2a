-- One row per (hashtag, other hashtag of the same tweet): what co-occurs with what.
CREATE TEMPORARY VIEW tweet_hashtag_pairs AS
SELECT h.event_time, h.hashtag, LOWER(r.tag) AS related
FROM tweet_hashtags AS h
CROSS JOIN UNNEST(h.hashtags) AS r (tag)
WHERE LOWER(r.tag) <> h.hashtag;
