-- Every record of the topic, parsed from the canonical JSON, with the reason it is unusable
-- (NULL when it is a good tweet). The fields come from one parse (TWEET_FIELDS,
-- sql/ddl/tweet_fields_function.sql), each as JSON_VALUE(payload, '$.<path>') would give it.
CREATE TEMPORARY VIEW parsed_tweets AS
SELECT
    payload,
    kafka_partition,
    kafka_offset,
    arrival,
    event_time,
    f.id_str,
    TRY_CAST(f.timestamp_ms AS BIGINT) AS timestamp_ms,
    f.text AS tweet_text,
    COALESCE(f.lang, 'und') AS lang,
    f.user_id,
    f.screen_name,
    f.user_name,
    COALESCE(TRY_CAST(f.followers_count AS BIGINT), 0) AS followers_count,
    COALESCE(TRY_CAST(f.friends_count AS BIGINT), 0) AS friends_count,
    COALESCE(TRY_CAST(f.statuses_count AS BIGINT), 0) AS statuses_count,
    COALESCE(TRY_CAST(f.verified AS BOOLEAN), FALSE) AS verified,
    f.location,
    f.description,
    f.hashtags,
    f.mentions,
    f.urls,
    f.cashtags,
    f.retweeted_id IS NOT NULL AS is_retweet,
    CASE
        WHEN NOT f.is_object THEN 'not a JSON object'
        WHEN f.id_str IS NULL THEN 'missing id_str'
        WHEN TRY_CAST(f.timestamp_ms AS BIGINT) IS NULL THEN 'missing or non-numeric timestamp_ms'
        WHEN TRY_CAST(f.timestamp_ms AS BIGINT) < 0 THEN 'negative timestamp_ms'
        WHEN event_time = TO_TIMESTAMP_LTZ(0, 3) AND TRY_CAST(f.timestamp_ms AS BIGINT) > 0
            THEN 'timestamp_ms more than ${future_tolerance_s} s in the future'
        WHEN f.text IS NULL THEN 'missing text'
        WHEN CHAR_LENGTH(f.text) > CAST('${max_text_chars}' AS INT)
            THEN 'text longer than ${max_text_chars} characters'
        WHEN f.user_id IS NULL THEN 'missing user.id_str'
        WHEN f.screen_name IS NULL THEN 'missing user.screen_name'
        ELSE CAST(NULL AS STRING)
    END AS error_reason
FROM (SELECT *, TWEET_FIELDS(payload) AS f FROM raw_tweets);
