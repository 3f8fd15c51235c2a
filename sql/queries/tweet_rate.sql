-- Tweets per tumbling event-time window (default 2 seconds).
INSERT INTO tweet_rate_es
SELECT window_start, window_end, COUNT(*) AS tweets
FROM TABLE(TUMBLE(TABLE tweets, DESCRIPTOR(event_time), INTERVAL '${tweet_rate_window_s}' SECOND))
GROUP BY window_start, window_end;
