-- For each of the window's top ${top_hashtags} hashtags, the ${top_related} hashtags used most
-- with it in the window (the top-hashtags window); ties by hashtag.
INSERT INTO related_hashtags_es
SELECT s.window_start, s.window_end, MD5(t.hashtag), t.hashtag, r.rn, r.related, r.tweets
FROM hashtag_summaries AS s
CROSS JOIN UNNEST(s.top) AS t (rn, hashtag, tweets, related, influencers)
CROSS JOIN UNNEST(t.related) AS r (rn, related, tweets);
