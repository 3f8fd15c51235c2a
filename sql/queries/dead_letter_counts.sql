-- How many records were dead-lettered, per reason (an upsert per reason). The counts are
-- kept for good, whatever the job's state TTL (it is the duplicate horizon's length).
INSERT INTO dead_letter_counts_es
SELECT /*+ STATE_TTL('parsed_tweets' = '36500d') */ error_reason, COUNT(*)
FROM parsed_tweets
WHERE error_reason IS NOT NULL
GROUP BY error_reason;
