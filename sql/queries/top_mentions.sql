-- The ${top_entities} most mentioned users per tumbling window (default 1 minute); every
-- mention counts; ties by screen name.
INSERT INTO top_mentions_es
SELECT window_start, window_end, rn, mention, mentions
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end ORDER BY mentions DESC, mention ASC) AS rn
    FROM (
        SELECT window_start, window_end, mention, COUNT(*) AS mentions
        FROM TABLE(TUMBLE(TABLE tweet_mentions, DESCRIPTOR(event_time),
            INTERVAL '${count_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, mention
    )
)
WHERE rn <= CAST('${top_entities}' AS INT);
