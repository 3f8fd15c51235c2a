-- Tweets per cashtag per tumbling window (default 1 minute).
INSERT INTO cashtags_es
SELECT window_start, window_end, cashtag, COUNT(*)
FROM TABLE(TUMBLE(TABLE tweet_cashtags, DESCRIPTOR(event_time),
    INTERVAL '${count_window_s}' SECOND(6)))
GROUP BY window_start, window_end, cashtag;
