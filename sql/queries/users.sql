-- The latest profile per author: of each author's tweets, the one with the newest event time.
INSERT INTO users_es
SELECT user_id, screen_name, user_name, followers_count, friends_count, statuses_count, verified,
    location, description, event_time
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time DESC) AS rn
    FROM tweets
)
WHERE rn = 1;
