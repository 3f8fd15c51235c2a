-- Every good tweet with its sentiment: a label (positive, negative, neutral, mixed) and
-- VADER's scores; all NULL for tweets not in English, which the lexicon does not cover.
CREATE TEMPORARY VIEW tweet_sentiment AS
SELECT id_str, event_time, lang, hashtags,
    s.label AS label, s.positive AS positive, s.negative AS negative, s.neutral AS neutral,
    s.compound AS compound
FROM (
    SELECT id_str, event_time, lang, hashtags, sentiment(tweet_text, lang) AS s
    FROM tweets
);
