-- Tweets per language per tumbling window (default 1 minute); 'und' when unknown.
INSERT INTO languages_es
SELECT window_start, window_end, lang, COUNT(*)
FROM TABLE(TUMBLE(TABLE tweets, DESCRIPTOR(event_time), INTERVAL '${count_window_s}' SECOND(6)))
GROUP BY window_start, window_end, lang;
