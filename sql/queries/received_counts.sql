-- Good records per minute (tumbling) before the duplicate filter: a repeat has its original's
-- event time, so it lands in the same window, and received minus tweet_rate's minute count is
-- what the filter dropped there. A window count costs one number per minute, not one per id.
INSERT INTO received_counts_es
SELECT window_start, window_end, COUNT(*)
FROM TABLE(TUMBLE(TABLE parsed_tweets, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
WHERE error_reason IS NULL
GROUP BY window_start, window_end;
