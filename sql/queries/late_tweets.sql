-- Tweets that arrived after the watermark had passed their event time, one document each:
-- a window that had already fired has dropped them, so this is where they are counted
-- (and on tweetflow_tweetsLate).
INSERT INTO late_tweets_es
SELECT TALLY('tweetsLate', id_str), event_time, CURRENT_WATERMARK(event_time), user_id,
    screen_name
FROM tweets
WHERE event_time <= CURRENT_WATERMARK(event_time);
