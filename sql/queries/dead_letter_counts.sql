-- How many records were dead-lettered, per reason (an upsert per reason).
INSERT INTO dead_letter_counts_es
SELECT error_reason, COUNT(*)
FROM parsed_tweets
WHERE error_reason IS NOT NULL
GROUP BY error_reason;
