-- Every record of the topic, parsed from the canonical JSON, with the reason it is unusable
-- (NULL when it is a good tweet).
CREATE TEMPORARY VIEW parsed_tweets AS
SELECT
    payload,
    kafka_partition,
    kafka_offset,
    arrival,
    event_time,
    JSON_VALUE(payload, '$.id_str') AS id_str,
    TRY_CAST(JSON_VALUE(payload, '$.timestamp_ms') AS BIGINT) AS timestamp_ms,
    JSON_VALUE(payload, '$.text') AS tweet_text,
    COALESCE(JSON_VALUE(payload, '$.lang'), 'und') AS lang,
    JSON_VALUE(payload, '$.user.id_str') AS user_id,
    JSON_VALUE(payload, '$.user.screen_name') AS screen_name,
    JSON_VALUE(payload, '$.user.name') AS user_name,
    COALESCE(TRY_CAST(JSON_VALUE(payload, '$.user.followers_count') AS BIGINT), 0) AS followers_count,
    COALESCE(TRY_CAST(JSON_VALUE(payload, '$.user.friends_count') AS BIGINT), 0) AS friends_count,
    COALESCE(TRY_CAST(JSON_VALUE(payload, '$.user.statuses_count') AS BIGINT), 0) AS statuses_count,
    COALESCE(JSON_VALUE(payload, '$.user.verified' RETURNING BOOLEAN), FALSE) AS verified,
    JSON_VALUE(payload, '$.user.location') AS location,
    JSON_VALUE(payload, '$.user.description') AS description,
    JSON_QUERY(payload, '$.entities.hashtags[*].text' RETURNING ARRAY<STRING>) AS hashtags,
    JSON_QUERY(payload, '$.entities.user_mentions[*].screen_name' RETURNING ARRAY<STRING>) AS mentions,
    JSON_QUERY(payload, '$.entities.urls[*].expanded_url' RETURNING ARRAY<STRING>) AS urls,
    JSON_QUERY(payload, '$.entities.symbols[*].text' RETURNING ARRAY<STRING>) AS cashtags,
    JSON_VALUE(payload, '$.retweeted_status.id_str') IS NOT NULL AS is_retweet,
    CASE
        WHEN payload IS NOT JSON OBJECT THEN 'not a JSON object'
        WHEN JSON_VALUE(payload, '$.id_str') IS NULL THEN 'missing id_str'
        WHEN TRY_CAST(JSON_VALUE(payload, '$.timestamp_ms') AS BIGINT) IS NULL
            THEN 'missing or non-numeric timestamp_ms'
        WHEN TRY_CAST(JSON_VALUE(payload, '$.timestamp_ms') AS BIGINT) < 0
            THEN 'negative timestamp_ms'
        WHEN event_time = TO_TIMESTAMP_LTZ(0, 3)
            AND TRY_CAST(JSON_VALUE(payload, '$.timestamp_ms') AS BIGINT) > 0
            THEN 'timestamp_ms more than ${future_tolerance_s} s in the future'
        WHEN JSON_VALUE(payload, '$.text') IS NULL THEN 'missing text'
        WHEN CHAR_LENGTH(JSON_VALUE(payload, '$.text')) > CAST('${max_text_chars}' AS INT)
            THEN 'text longer than ${max_text_chars} characters'
        WHEN JSON_VALUE(payload, '$.user.id_str') IS NULL THEN 'missing user.id_str'
        WHEN JSON_VALUE(payload, '$.user.screen_name') IS NULL THEN 'missing user.screen_name'
        ELSE CAST(NULL AS STRING)
    END AS error_reason
FROM raw_tweets;
