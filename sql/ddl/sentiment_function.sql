-- The Python UDF that scores tweet text with VADER (flink_jobs/sentiment.py), per row or
-- pandas-vectorized as the job's enrichment setting chooses; declared only when it is on.
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS sentiment AS '${sentiment_function}' LANGUAGE PYTHON;
