-- The good tweets: what every analytic query reads.
CREATE TEMPORARY VIEW tweets AS
SELECT * FROM parsed_tweets WHERE error_reason IS NULL;
