-- The top ${top_trends} trending keys (hashtags, words, two-word phrases) of each bucket of
-- ${trend_slide_s} s, by score (ties by key): how far their distinct authors stand above their
-- own baseline (docs/queries.md, trending).
INSERT INTO trending_es
SELECT window_start, window_end, rn, term,
    CASE WHEN term LIKE '#%' THEN 'hashtag'
        WHEN POSITION(' ' IN term) > 0 THEN 'phrase' ELSE 'word' END AS kind,
    phase, score, authors, tweets, baseline, peak, since
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY window_start, window_end ORDER BY score DESC, term ASC) AS rn
    FROM TABLE(TUMBLE(TABLE trends, DESCRIPTOR(bucket_time),
        INTERVAL '${trend_slide_s}' SECOND(6)))
)
WHERE rn <= CAST('${top_trends}' AS INT);
