-- The most frequent words per tumbling window (default 1 minute), top ${top_words}; ties by word.
INSERT INTO word_counts_es
SELECT window_start, window_end, rn, word, occurrences
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end ORDER BY occurrences DESC, word ASC) AS rn
    FROM (
        SELECT window_start, window_end, word, COUNT(*) AS occurrences
        FROM TABLE(TUMBLE(TABLE tweet_words, DESCRIPTOR(event_time),
            INTERVAL '${count_window_s}' SECOND(6)))
        GROUP BY window_start, window_end, word
    )
)
WHERE rn <= CAST('${top_words}' AS INT);
