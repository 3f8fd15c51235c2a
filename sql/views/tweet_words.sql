-- One row per word of a tweet: lower-cased; URLs, mentions and hashtags removed; split on
-- anything that is not a letter, mark or digit; one-character words and stop words dropped.
CREATE TEMPORARY VIEW tweet_words AS
SELECT t.event_time, w.word
FROM tweets AS t
CROSS JOIN UNNEST(SPLIT(
    REGEXP_REPLACE(
        REGEXP_REPLACE(LOWER(t.tweet_text),
            '(https?://[^ \t\n\f\r]+)|([#@\uFF03\uFF20][^ \t\n\f\r]*)', ' '),
        '[^\p{L}\p{M}\p{Nd}]+', ' '),
    ' ')) AS w (word)
WHERE CHAR_LENGTH(w.word) > 1 AND NOT ARRAY_CONTAINS(SPLIT('${stop_words}', ','), w.word);
