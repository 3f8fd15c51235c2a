package tweetflow.flink;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

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
 * whole document must be valid JSON for any field to count. The row is Flink's internal one,
 * its strings cut from the payload's bytes where they can be (TweetJson.scalarData): Java
 * Strings cost their decoding, then their encoding into the row the next operator receives.
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

    /** Every record read, good or not: tweetflow_recordsRead (Tally's group). Outside a job
     * (bench/java/ParseSpeed) a counter of its own. */
    private transient Counter read = new SimpleCounter();

    @Override
    public void open(FunctionContext context) {
        read = context.getMetricGroup().addGroup(Tally.GROUP).counter("recordsRead");
    }

    /**
     * Declared non-deterministic only so the planner keeps one call per record: it inlines a
     * deterministic call into every field reference (parsed_tweets reads nineteen fields).
     */
    @Override
    public boolean isDeterministic() {
        return false;
    }

    public @DataTypeHint(value = ROW, bridgedTo = RowData.class) RowData eval(String payload) {
        read.inc();
        return read(payload);
    }

    /** The payload as Kafka holds it: parsed from its UTF-8 bytes, never decoded whole. */
    public @DataTypeHint(value = ROW, bridgedTo = RowData.class) RowData eval(byte[] payload) {
        read.inc();
        return read(payload);
    }

    /** A payload being read: its parser, and its bytes (null when the parser reads text). */
    private record Reading(JsonParser parser, byte[] input) {

        StringData scalar(JsonToken token) throws Exception {
            return TweetJson.scalarData(parser, token, input);
        }
    }

    private static RowData read(Object payload) {
        try (JsonParser parser = TweetJson.parser(payload)) {
            if (parser != null && parser.nextToken() == JsonToken.START_OBJECT) {
                GenericRowData row = new GenericRowData(ARITY);
                readTweet(new Reading(parser, TweetJson.bytesParsed(payload)), row);
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

    private static RowData notJson() {
        GenericRowData row = new GenericRowData(ARITY);
        row.setField(0, false);
        return row;
    }

    private static void readTweet(Reading in, GenericRowData row) throws Exception {
        while (in.parser().nextToken() == JsonToken.FIELD_NAME) {
            String name = in.parser().getCurrentName();
            JsonToken token = in.parser().nextToken();
            switch (name) {
                case "id_str" -> row.setField(ID, in.scalar(token));
                case "timestamp_ms" -> row.setField(TIMESTAMP, in.scalar(token));
                case "text" -> row.setField(TEXT, in.scalar(token));
                case "lang" -> row.setField(LANG, in.scalar(token));
                case "user" -> readUser(in, token, row);
                case "entities" -> readEntities(in, token, row);
                case "retweeted_status" -> row.setField(RETWEETED_ID, idOf(in, token));
                default -> in.parser().skipChildren();
            }
        }
    }

    private static void readUser(Reading in, JsonToken token, GenericRowData row) throws Exception {
        for (int i = USER_FIRST; i <= USER_LAST; i++) {
            row.setField(i, null); // a later "user" replaces an earlier one whole
        }
        if (token != JsonToken.START_OBJECT) {
            in.parser().skipChildren();
            return;
        }
        while (in.parser().nextToken() == JsonToken.FIELD_NAME) {
            int index = userField(in.parser().getCurrentName());
            JsonToken value = in.parser().nextToken();
            if (index < 0) {
                in.parser().skipChildren();
            } else {
                row.setField(index, in.scalar(value));
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

    private static void readEntities(Reading in, JsonToken token, GenericRowData row)
            throws Exception {
        for (int i = HASHTAGS; i <= CASHTAGS; i++) {
            row.setField(i, null);
        }
        if (token != JsonToken.START_OBJECT) {
            in.parser().skipChildren();
            return;
        }
        while (in.parser().nextToken() == JsonToken.FIELD_NAME) {
            String name = in.parser().getCurrentName();
            JsonToken list = in.parser().nextToken();
            switch (name) {
                case "hashtags" -> row.setField(HASHTAGS, each(in, list, "text"));
                case "user_mentions" -> row.setField(MENTIONS, each(in, list, "screen_name"));
                case "urls" -> row.setField(URLS, each(in, list, "expanded_url"));
                case "symbols" -> row.setField(CASHTAGS, each(in, list, "text"));
                default -> in.parser().skipChildren();
            }
        }
    }

    /** The retweeted tweet's id_str: JSON_VALUE(payload, '$.retweeted_status.id_str'). */
    private static StringData idOf(Reading in, JsonToken token) throws Exception {
        if (token != JsonToken.START_OBJECT) {
            in.parser().skipChildren();
            return null;
        }
        StringData id = null;
        while (in.parser().nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = "id_str".equals(in.parser().getCurrentName());
            JsonToken value = in.parser().nextToken();
            if (wanted) {
                id = in.scalar(value);
            } else {
                in.parser().skipChildren();
            }
        }
        return id;
    }

    /**
     * TweetJson.each on a list that streams by: an array is read here; an object (the
     * wildcard takes its values, duplicate keys collapsing as a map's do) is read as a map.
     */
    private static GenericArrayData each(Reading in, JsonToken list, String item)
            throws Exception {
        if (list == JsonToken.START_OBJECT) {
            return TweetJson.each(TweetJson.MAPPER.readValue(in.parser(), Object.class), item);
        }
        if (list != JsonToken.START_ARRAY) {
            // the wildcard over a scalar or null matches nothing
            return new GenericArrayData(new StringData[0]);
        }
        List<StringData> out = new ArrayList<>();
        JsonToken element;
        while ((element = in.parser().nextToken()) != JsonToken.END_ARRAY) {
            if (element == null) {
                throw new IllegalStateException("the document ends inside a list");
            }
            if (element != JsonToken.START_OBJECT) {
                in.parser().skipChildren();
                continue;
            }
            boolean found = false;
            StringData value = null;
            while (in.parser().nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = item.equals(in.parser().getCurrentName());
                JsonToken token = in.parser().nextToken();
                if (wanted) {
                    found = true;
                    value = TweetJson.itemData(in.parser(), token, in.input());
                } else {
                    in.parser().skipChildren();
                }
            }
            if (found) {
                out.add(value);
            }
        }
        return new GenericArrayData(out.toArray());
    }
}
