-- Every tracked tweet to the tracked topic, keyed by the term it matched, unchanged.
INSERT INTO tracked_kafka
SELECT term, payload
FROM tracked_tweets;
