-- Tweets that mention a tracked term (case-insensitive substring), retweets excluded;
-- with a domain allow-list, only tweets linking to one of those domains. The term list is
-- tied to each row (the empty SUBSTRING): unnesting a constant would be planned as a join,
-- and the join would strip event time of its time attribute.
CREATE TEMPORARY VIEW tracked_tweets AS
SELECT c.id_str, c.event_time, c.payload, k.term
FROM (
    SELECT id_str, event_time, payload, tweet_text,
        SPLIT(CONCAT('${tracked_terms}', SUBSTRING(id_str, 1, 0)), ',') AS terms
    FROM tweets
    WHERE NOT is_retweet
        AND ('${tracked_domains_regex}' = ''
            OR REGEXP(COALESCE(ARRAY_JOIN(urls, ' '), ''), '${tracked_domains_regex}'))
) AS c
CROSS JOIN UNNEST(c.terms) AS k (term)
WHERE k.term <> '' AND POSITION(k.term IN LOWER(c.tweet_text)) > 0;
