-- The top ${top_hashtags} hashtags (lower-cased) per window of ${hashtag_window_s} s sliding
-- every ${hashtag_slide_s} s (default 1 hour every minute); ties by hashtag.
INSERT INTO top_hashtags_es
SELECT s.window_start, s.window_end, t.rn, t.hashtag, t.tweets
FROM hashtag_summaries AS s
CROSS JOIN UNNEST(s.top) AS t (rn, hashtag, tweets, related, influencers);
