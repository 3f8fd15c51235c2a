-- TALLY(metric, value) / TALLY(metric, label, value): returns value, and counts it on the
-- metric tweetflow_<metric> that the job's metric reporter exports (Prometheus:
-- docs/operating.md). Placed in a column something downstream reads, so it runs once per row
-- (flink_jobs/java/tweetflow/flink/Tally.java).
CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS tally
    AS 'tweetflow.flink.Tally' LANGUAGE JAVA;
