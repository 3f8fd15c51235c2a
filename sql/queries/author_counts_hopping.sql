-- The top authors per hopping window (default 60 s sliding every 5 s), by tweets; ties by screen name.
INSERT INTO author_counts_es
SELECT 'hop', window_start, window_end, rn, user_id, screen_name, tweets
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end ORDER BY tweets DESC, screen_name ASC) AS rn
    FROM (
        SELECT window_start, window_end, user_id, MAX(screen_name) AS screen_name,
            COUNT(*) AS tweets
        FROM TABLE(HOP(TABLE tweets, DESCRIPTOR(event_time),
            INTERVAL '${rolling_slide_s}' SECOND(6), INTERVAL '${rolling_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, user_id
    )
)
WHERE rn <= CAST('${top_authors}' AS INT);
