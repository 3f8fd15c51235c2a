-- The ${top_entities} most linked domains per tumbling window (default 1 minute); every link
-- counts; ties by domain.
INSERT INTO top_domains_es
SELECT window_start, window_end, rn, domain, links
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end ORDER BY links DESC, domain ASC) AS rn
    FROM (
        SELECT window_start, window_end, domain, COUNT(*) AS links
        FROM TABLE(TUMBLE(TABLE tweet_domains, DESCRIPTOR(event_time),
            INTERVAL '${count_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, domain
    )
)
WHERE rn <= CAST('${top_entities}' AS INT);
