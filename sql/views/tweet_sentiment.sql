-- Every good tweet with its sentiment: a label (positive, negative, neutral, mixed) and
-- VADER's scores; all NULL for tweets not in English, which the lexicon does not cover.
CREATE TEMPORARY VIEW tweet_sentiment AS
SELECT id_str, event_time, timestamp_ms, user_id, screen_name, followers_count, tweet_text,
    lang, hashtags, mentions, urls, cashtags, is_retweet, payload,
    s.label AS label, s.positive AS positive, s.negative AS negative, s.neutral AS neutral,
    s.compound AS compound
FROM (
    SELECT *, sentiment(tweet_text, lang) AS s
    FROM tweets
);
