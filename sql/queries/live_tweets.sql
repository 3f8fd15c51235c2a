-- Every good tweet as a document for the live feeds and the per-hashtag filter.
INSERT INTO live_tweets_es
SELECT id_str, event_time, user_id, screen_name, followers_count, tweet_text, hashtags, lang,
    is_retweet
FROM tweets;
