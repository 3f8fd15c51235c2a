-- One row per window of ${hashtag_window_s} s sliding every ${hashtag_slide_s} s (default 1
-- hour every minute): its top ${top_hashtags} hashtags (lower-cased), each with the
-- ${top_related} hashtags used most with it and its ${top_influencers} most-followed authors.
-- Exact while no minute needs more than 1.25 x ${hashtag_capacity} counters (0: always exact);
-- beyond, the counts are Space-Saving estimates with a bounded error (docs/queries.md).
-- top_hashtags, related_hashtags and influencers read it: the planner computes it once.
-- summary_related and summary_influencers are top_related and top_influencers, or 0 when the
-- job has no related_hashtags or influencers query (nothing kept for it).
-- summary_transient_merges: the job aggregates in one phase, so summaries are merged only to
-- read a firing window (the function then reads the window's slices without copying them).
CREATE TEMPORARY VIEW hashtag_summaries AS
SELECT window_start, window_end,
    HASHTAG_SUMMARY(hashtags, user_id, screen_name, followers_count,
        CAST('${top_hashtags}' AS INT), CAST('${summary_related}' AS INT),
        CAST('${summary_influencers}' AS INT), CAST('${hashtag_capacity}' AS INT),
        CAST('${summary_transient_merges}' AS BOOLEAN)) AS top
FROM TABLE(HOP(TABLE tweets, DESCRIPTOR(event_time),
    INTERVAL '${hashtag_slide_s}' SECOND(6), INTERVAL '${hashtag_window_s}' SECOND(6)))
WHERE CARDINALITY(hashtags) > 0
GROUP BY window_start, window_end;
