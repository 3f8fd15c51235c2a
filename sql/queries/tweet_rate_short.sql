-- Tweets per short tumbling window (default 2 seconds): the "incoming tweets" panel.
INSERT INTO tweet_rate_es
SELECT CAST('${tweet_rate_window_s}' AS INT), window_start, window_end, COUNT(*)
FROM TABLE(TUMBLE(TABLE tweets, DESCRIPTOR(event_time), INTERVAL '${tweet_rate_window_s}' SECOND(6)))
GROUP BY window_start, window_end;
