package tweetflow.flink;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

import java.util.ArrayList;
import java.util.List;

/**
 * TWEET_FIELDS(payload): the fields of a tweet's JSON that sql/views/parsed_tweets.sql reads,
 * from one parse. Each field equals what JSON_VALUE(payload, '$.path') or JSON_QUERY(payload,
 * '$.path[*].item' RETURNING ARRAY&lt;STRING&gt;) returns, but those parse the whole payload
 * again per call: twenty-odd parses per tweet were half of the job's CPU time (bench.profile).
 * is_object is payload IS JSON OBJECT; a payload that is not one (or NULL) has NULL fields.
 *
 * <p>The parse streams: it keeps the nineteen fields and builds no tree of the rest, which
 * was a third of this function's time. As in a tree, the last of duplicate keys wins, and the
 * whole document must be valid JSON for any field to count.
 */
public class TweetFields extends ScalarFunction {

    private static final String ROW =
            "ROW<is_object BOOLEAN, id_str STRING, timestamp_ms STRING, text STRING,"
                    + " lang STRING, user_id STRING, screen_name STRING, user_name STRING,"
                    + " followers_count STRING, friends_count STRING, statuses_count STRING,"
                    + " verified STRING, location STRING, description STRING,"
                    + " hashtags ARRAY<STRING>, mentions ARRAY<STRING>, urls ARRAY<STRING>,"
                    + " cashtags ARRAY<STRING>, retweeted_id STRING>";

    private static final int ID = 1, TIMESTAMP = 2, TEXT = 3, LANG = 4;
    private static final int USER_FIRST = 5, USER_LAST = 13;
    private static final int HASHTAGS = 14, MENTIONS = 15, URLS = 16, CASHTAGS = 17;
    private static final int RETWEETED_ID = 18, ARITY = 19;

    /**
     * Declared non-deterministic only so the planner keeps one call per record: it inlines a
     * deterministic call into every field reference (parsed_tweets reads nineteen fields).
     */
    @Override
    public boolean isDeterministic() {
        return false;
    }

    public @DataTypeHint(ROW) Row eval(String payload) {
        return read(payload);
    }

    /** The payload as Kafka holds it: parsed from its UTF-8 bytes, never decoded whole. */
    public @DataTypeHint(ROW) Row eval(byte[] payload) {
        return read(payload);
    }

    private static Row read(Object payload) {
        try (JsonParser parser = TweetJson.parser(payload)) {
            if (parser != null && parser.nextToken() == JsonToken.START_OBJECT) {
                Row row = new Row(ARITY);
                readTweet(parser, row);
                row.setField(0, true);
                return row;
            }
        } catch (Exception e) {
            if (payload instanceof byte[] bytes) {
                return read(TweetJson.decoded(bytes)); // as the text of a STRING column reads
            }
            // not JSON: as the built-ins, every field is NULL
        }
        return notJson(); // a parse that failed half-way leaves no field behind
    }

    private static Row notJson() {
        Row row = new Row(ARITY);
        row.setField(0, false);
        return row;
    }

    private static void readTweet(JsonParser parser, Row row) throws Exception {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.getCurrentName();
            JsonToken token = parser.nextToken();
            switch (name) {
                case "id_str" -> row.setField(ID, TweetJson.scalar(parser, token));
                case "timestamp_ms" -> row.setField(TIMESTAMP, TweetJson.scalar(parser, token));
                case "text" -> row.setField(TEXT, TweetJson.scalar(parser, token));
                case "lang" -> row.setField(LANG, TweetJson.scalar(parser, token));
                case "user" -> readUser(parser, token, row);
                case "entities" -> readEntities(parser, token, row);
                case "retweeted_status" -> row.setField(RETWEETED_ID, idOf(parser, token));
                default -> parser.skipChildren();
            }
        }
    }

    private static void readUser(JsonParser parser, JsonToken token, Row row) throws Exception {
        for (int i = USER_FIRST; i <= USER_LAST; i++) {
            row.setField(i, null); // a later "user" replaces an earlier one whole
        }
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            int index = userField(parser.getCurrentName());
            JsonToken value = parser.nextToken();
            if (index < 0) {
                parser.skipChildren();
            } else {
                row.setField(index, TweetJson.scalar(parser, value));
            }
        }
    }

    private static int userField(String name) {
        return switch (name) {
            case "id_str" -> 5;
            case "screen_name" -> 6;
            case "name" -> 7;
            case "followers_count" -> 8;
            case "friends_count" -> 9;
            case "statuses_count" -> 10;
            case "verified" -> 11;
            case "location" -> 12;
            case "description" -> 13;
            default -> -1;
        };
    }

    private static void readEntities(JsonParser parser, JsonToken token, Row row)
            throws Exception {
        for (int i = HASHTAGS; i <= CASHTAGS; i++) {
            row.setField(i, null);
        }
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.getCurrentName();
            JsonToken list = parser.nextToken();
            switch (name) {
                case "hashtags" -> row.setField(HASHTAGS, each(parser, list, "text"));
                case "user_mentions" -> row.setField(MENTIONS, each(parser, list, "screen_name"));
                case "urls" -> row.setField(URLS, each(parser, list, "expanded_url"));
                case "symbols" -> row.setField(CASHTAGS, each(parser, list, "text"));
                default -> parser.skipChildren();
            }
        }
    }

    /** The retweeted tweet's id_str: JSON_VALUE(payload, '$.retweeted_status.id_str'). */
    private static String idOf(JsonParser parser, JsonToken token) throws Exception {
        if (token != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return null;
        }
        String id = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = "id_str".equals(parser.getCurrentName());
            JsonToken value = parser.nextToken();
            if (wanted) {
                id = TweetJson.scalar(parser, value);
            } else {
                parser.skipChildren();
            }
        }
        return id;
    }

    /**
     * TweetJson.each on a list that streams by: an array is read here; an object (the
     * wildcard takes its values, duplicate keys collapsing as a tree's do) goes to the tree.
     */
    private static String[] each(JsonParser parser, JsonToken list, String item)
            throws Exception {
        if (list == JsonToken.START_OBJECT) {
            return TweetJson.each(TweetJson.MAPPER.readTree(parser), item);
        }
        if (list != JsonToken.START_ARRAY) {
            return new String[0]; // the wildcard over a scalar or null matches nothing
        }
        List<String> out = new ArrayList<>();
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (element == null) {
                throw new IllegalStateException("the document ends inside a list");
            }
            if (element != JsonToken.START_OBJECT) {
                parser.skipChildren();
                continue;
            }
            boolean found = false;
            String value = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = item.equals(parser.getCurrentName());
                JsonToken token = parser.nextToken();
                if (wanted) {
                    found = true;
                    value = TweetJson.itemText(parser, token);
                } else {
                    parser.skipChildren();
                }
            }
            if (found) {
                out.add(value);
            }
        }
        return out.toArray(new String[0]);
    }
}
