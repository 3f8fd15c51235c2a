package tweetflow.flink;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

/**
 * TWEET_FIELDS(payload): the fields of a tweet's JSON that sql/views/parsed_tweets.sql reads,
 * from one parse. Each field equals what JSON_VALUE(payload, '$.path') or JSON_QUERY(payload,
 * '$.path[*].item' RETURNING ARRAY&lt;STRING&gt;) returns, but those parse the whole payload
 * again per call: twenty-odd parses per tweet were half of the job's CPU time (bench.profile).
 * is_object is payload IS JSON OBJECT; a payload that is not one (or NULL) has NULL fields.
 */
public class TweetFields extends ScalarFunction {

    private static final String ROW =
            "ROW<is_object BOOLEAN, id_str STRING, timestamp_ms STRING, text STRING,"
                    + " lang STRING, user_id STRING, screen_name STRING, user_name STRING,"
                    + " followers_count STRING, friends_count STRING, statuses_count STRING,"
                    + " verified STRING, location STRING, description STRING,"
                    + " hashtags ARRAY<STRING>, mentions ARRAY<STRING>, urls ARRAY<STRING>,"
                    + " cashtags ARRAY<STRING>, retweeted_id STRING>";

    /**
     * Declared non-deterministic only so the planner keeps one call per record: it inlines a
     * deterministic call into every field reference (parsed_tweets reads nineteen fields).
     */
    @Override
    public boolean isDeterministic() {
        return false;
    }

    public @DataTypeHint(ROW) Row eval(String payload) {
        JsonNode tweet = payload == null ? null : TweetJson.parse(payload);
        if (tweet == null || !tweet.isObject()) {
            Row row = new Row(19);
            row.setField(0, false);
            return row;
        }
        JsonNode user = tweet.get("user");
        JsonNode entities = tweet.get("entities");
        JsonNode retweeted = tweet.get("retweeted_status");
        return Row.of(
                true,
                TweetJson.value(tweet, "id_str"),
                TweetJson.value(tweet, "timestamp_ms"),
                TweetJson.value(tweet, "text"),
                TweetJson.value(tweet, "lang"),
                TweetJson.value(user, "id_str"),
                TweetJson.value(user, "screen_name"),
                TweetJson.value(user, "name"),
                TweetJson.value(user, "followers_count"),
                TweetJson.value(user, "friends_count"),
                TweetJson.value(user, "statuses_count"),
                TweetJson.value(user, "verified"),
                TweetJson.value(user, "location"),
                TweetJson.value(user, "description"),
                TweetJson.each(entities, "hashtags", "text"),
                TweetJson.each(entities, "user_mentions", "screen_name"),
                TweetJson.each(entities, "urls", "expanded_url"),
                TweetJson.each(entities, "symbols", "text"),
                TweetJson.value(retweeted, "id_str"));
    }
}
