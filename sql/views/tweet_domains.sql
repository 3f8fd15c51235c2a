-- One row per (tweet, linked URL) with the URL's host, lower-cased, without a leading "www.".
CREATE TEMPORARY VIEW tweet_domains AS
SELECT id_str, event_time, REGEXP_REPLACE(host, '^www[.]', '') AS domain
FROM (
    SELECT t.id_str, t.event_time,
        LOWER(REGEXP_EXTRACT(u.url, '^[A-Za-z][A-Za-z0-9+.-]*://([^@/?#]*@)?([^:/?#]+)', 2)) AS host
    FROM tweets AS t
    CROSS JOIN UNNEST(t.urls) AS u (url)
)
WHERE host IS NOT NULL AND host <> '';
