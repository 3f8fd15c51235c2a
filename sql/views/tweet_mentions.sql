-- One row per (tweet, mentioned user), screen names lower-cased as they are case-insensitive.
CREATE TEMPORARY VIEW tweet_mentions AS
SELECT t.id_str, t.event_time, LOWER(m.name) AS mention
FROM tweets AS t
CROSS JOIN UNNEST(t.mentions) AS m (name);
