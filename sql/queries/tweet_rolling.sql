-- Total tweets in a window of ${rolling_window_s} s sliding every ${rolling_slide_s} s.
INSERT INTO tweet_rolling_es
SELECT window_start, window_end, COUNT(*)
FROM TABLE(HOP(TABLE tweets, DESCRIPTOR(event_time),
    INTERVAL '${rolling_slide_s}' SECOND(6), INTERVAL '${rolling_window_s}' SECOND(6)))
GROUP BY window_start, window_end;
