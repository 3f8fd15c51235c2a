-- One row per word of a tweet: lower-cased; URLs, mentions and hashtags removed; split on
-- anything that is not a letter, mark or digit; one-character words and stop words dropped
-- (TWEET_WORDS: in SQL, Flink split the stop-word list again for every word).
CREATE TEMPORARY VIEW tweet_words AS
SELECT t.event_time, w.word
FROM tweets AS t
CROSS JOIN UNNEST(TWEET_WORDS(t.tweet_text, '${stop_words}')) AS w (word);
