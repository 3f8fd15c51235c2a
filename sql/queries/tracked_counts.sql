-- Tracked tweets per term per tumbling window (default 1 minute).
INSERT INTO tracked_counts_es
SELECT window_start, window_end, term, COUNT(*)
FROM TABLE(TUMBLE(TABLE tracked_tweets, DESCRIPTOR(event_time),
    INTERVAL '${count_window_s}' SECOND(6)))
GROUP BY window_start, window_end, term;
