-- For each of the window's top ${top_hashtags} hashtags, the ${top_influencers} most-followed
-- authors who used it in the window (the top-hashtags window); ties by screen name.
INSERT INTO influencers_es
SELECT s.window_start, s.window_end, MD5(t.hashtag), t.hashtag, i.rn, i.user_id,
    i.screen_name, i.followers
FROM hashtag_summaries AS s
CROSS JOIN UNNEST(s.top) AS t (rn, hashtag, tweets, related, influencers)
CROSS JOIN UNNEST(t.influencers) AS i (rn, user_id, screen_name, followers);
