-- Every key trending in a bucket, with its phase, score, distinct authors, tweets, the
-- baseline it was scored against, its peak and since when it trends; bucket_time (the
-- bucket's last millisecond) is the time attribute. TRENDING: sql/ddl/trending_function.sql.
CREATE TEMPORARY VIEW trends AS
SELECT term, bucket_time, phase, score, authors, tweets, baseline, peak, since
FROM TRENDING(
    counts => TABLE trend_buckets PARTITION BY term,
    slide_s => CAST('${trend_slide_s}' AS INT),
    span_buckets => CAST('${trend_span_buckets}' AS INT),
    min_authors => CAST('${trend_min_authors}' AS INT),
    enter_score => CAST('${trend_enter_score}' AS DOUBLE),
    exit_score => CAST('${trend_exit_score}' AS DOUBLE),
    memory_buckets => CAST('${trend_memory_buckets}' AS INT),
    uid => 'trending'
);
