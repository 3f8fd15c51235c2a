-- Tweets per minute (tumbling), in the same index as the short windows.
INSERT INTO tweet_rate_es
SELECT 60, window_start, window_end, COUNT(*)
FROM TABLE(TUMBLE(TABLE tweets, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
