-- Sentiment per tumbling window (default 1 minute): every tweet, the scored (English) ones,
-- their average VADER scores and how many got each label.
INSERT INTO sentiment_es
SELECT window_start, window_end, COUNT(*), COUNT(label),
    AVG(compound), AVG(positive), AVG(negative), AVG(neutral),
    SUM(CASE WHEN label = 'positive' THEN 1 ELSE 0 END),
    SUM(CASE WHEN label = 'negative' THEN 1 ELSE 0 END),
    SUM(CASE WHEN label = 'neutral' THEN 1 ELSE 0 END),
    SUM(CASE WHEN label = 'mixed' THEN 1 ELSE 0 END)
FROM TABLE(TUMBLE(TABLE tweet_sentiment, DESCRIPTOR(event_time),
    INTERVAL '${count_window_s}' SECOND(6)))
GROUP BY window_start, window_end;
