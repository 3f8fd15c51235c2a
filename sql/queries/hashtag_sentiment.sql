-- Sentiment of the top ${top_hashtags} hashtags per tumbling window (default 1 minute): their
-- tweets, average compound score and tweets per label; ties by hashtag.
INSERT INTO hashtag_sentiment_es
SELECT window_start, window_end, rn, hashtag, tweets, scored, avg_compound,
    positive, negative, neutral, mixed
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end ORDER BY tweets DESC, hashtag ASC) AS rn
    FROM (
        SELECT window_start, window_end, hashtag, COUNT(*) AS tweets, COUNT(label) AS scored,
            AVG(compound) AS avg_compound,
            SUM(CASE WHEN label = 'positive' THEN 1 ELSE 0 END) AS positive,
            SUM(CASE WHEN label = 'negative' THEN 1 ELSE 0 END) AS negative,
            SUM(CASE WHEN label = 'neutral' THEN 1 ELSE 0 END) AS neutral,
            SUM(CASE WHEN label = 'mixed' THEN 1 ELSE 0 END) AS mixed
        FROM TABLE(TUMBLE(TABLE tweet_hashtag_sentiment, DESCRIPTOR(event_time),
            INTERVAL '${count_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, hashtag
    )
)
WHERE rn <= CAST('${top_hashtags}' AS INT);
