-- Every good tweet, its canonical JSON and its sentiment into the Parquet archive.
INSERT INTO archive_fs
SELECT id_str, event_time, timestamp_ms, user_id, screen_name, followers_count, tweet_text,
    lang, hashtags, mentions, urls, cashtags, is_retweet,
    label, positive, negative, neutral, compound, CAST(payload AS STRING),
    DATE_FORMAT(event_time, 'yyyy-MM-dd'), DATE_FORMAT(event_time, 'HH')
FROM tweet_sentiment;
