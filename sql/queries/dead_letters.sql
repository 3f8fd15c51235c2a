-- Every unusable record to the dead-letter topic, with its reason and Kafka position, counted
-- per reason on tweetflow_deadLettered.
INSERT INTO dead_letters_kafka
SELECT TALLY('deadLettered', 'reason', error_reason),
    CONCAT('kafka:', CAST(kafka_partition AS STRING), ':', CAST(kafka_offset AS STRING)),
    CAST(payload AS STRING)
FROM parsed_tweets
WHERE error_reason IS NOT NULL;
