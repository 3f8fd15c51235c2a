import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.types.Row;
import tweetflow.flink.TweetFields;
import tweetflow.flink.TweetTimestamp;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Tweets per second of each way to read a file of tweets (one JSON document per line), round
 * after round in one JVM; prints first how many tweets TWEET_FIELDS found an id_str in, and
 * how many it read as the baseline did and as it reads their bytes, then one JSON object per
 * round. The baselines: the same fields read from Jackson's tree of each tweet (TWEET_FIELDS
 * before it streamed), the tree alone, and the tokens walked without keeping anything (the
 * floor of any parse here). Per record as the job reads one: its UTF-8 decoded into a String
 * as a STRING column gives it, then both functions (the job before), or both functions on the
 * bytes (a BYTES column, the job now).
 */
public class ParseSpeed {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    interface Way {
        long read(int tweet) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        List<String> tweets = Files.readAllLines(Path.of(args[0]));
        String[] texts = tweets.toArray(new String[0]);
        byte[][] records = new byte[texts.length][];
        for (int i = 0; i < texts.length; i++) {
            records[i] = texts[i].getBytes(StandardCharsets.UTF_8);
        }
        int rounds = Integer.parseInt(args[1]);
        TweetFields fields = new TweetFields();
        TweetTimestamp timestamp = new TweetTimestamp();
        String[] names = {
            "tweet_fields", "tree_fields", "tweet_timestamp", "jackson_tree", "jackson_tokens",
            "record_as_text", "record_as_bytes"
        };
        Way[] ways = {
            t -> fields.eval(texts[t]).hashCode(),
            t -> treeFields(texts[t]).hashCode(),
            t -> timestamp.eval(texts[t]).hashCode(),
            t -> MAPPER.readTree(texts[t]).size(),
            t -> tokens(texts[t]),
            t -> {
                String text = BinaryStringData.fromBytes(records[t]).toString();
                return timestamp.eval(text).hashCode() + fields.eval(text).hashCode();
            },
            t -> timestamp.eval(records[t]).hashCode() + fields.eval(records[t]).hashCode(),
        };
        long good = tweets.stream().filter(t -> !fields.eval(t).isNullAt(1)).count();
        long same = 0, sameFromBytes = 0;
        for (int t = 0; t < texts.length; t++) {
            RowData row = fields.eval(texts[t]);
            same += row.equals(internal(treeFields(texts[t]))) ? 1 : 0;
            sameFromBytes += row.equals(fields.eval(records[t])) ? 1 : 0;
        }
        // The rounds read real tweets, and the baseline and the bytes give the same fields.
        System.out.println("{\"with_id\": " + good + ", \"same_as_tree\": " + same
                + ", \"same_from_bytes\": " + sameFromBytes + "}");
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("{");
            for (int w = 0; w < ways.length; w++) {
                long began = System.nanoTime();
                for (int t = 0; t < texts.length; t++) {
                    sink += ways[w].read(t);
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                line.append(w == 0 ? "" : ", ").append('"').append(names[w]).append("\": ");
                line.append(String.format("%.1f", tweets.size() / seconds));
            }
            System.out.println(line.append("}"));
        }
        System.err.println("checksum " + sink); // the JIT must not drop the work
    }

    /** A row of Java values as Flink keeps it: what TWEET_FIELDS returns now. */
    private static RowData internal(Row row) {
        GenericRowData out = new GenericRowData(row.getArity());
        for (int i = 0; i < row.getArity(); i++) {
            Object value = row.getField(i);
            if (value instanceof String text) {
                value = StringData.fromString(text);
            } else if (value instanceof String[] items) {
                StringData[] data = new StringData[items.length];
                for (int k = 0; k < items.length; k++) {
                    data[k] = items[k] == null ? null : StringData.fromString(items[k]);
                }
                value = new GenericArrayData(data);
            }
            out.setField(i, value);
        }
        return out;
    }

    /** TWEET_FIELDS as it was: the tree of the tweet, then each field read from it. */
    private static Row treeFields(String tweet) throws Exception {
        JsonNode root = MAPPER.readTree(tweet);
        JsonNode user = root.get("user");
        JsonNode entities = root.get("entities");
        return Row.of(
                true, value(root, "id_str"), value(root, "timestamp_ms"), value(root, "text"),
                value(root, "lang"), value(user, "id_str"), value(user, "screen_name"),
                value(user, "name"), value(user, "followers_count"),
                value(user, "friends_count"), value(user, "statuses_count"),
                value(user, "verified"), value(user, "location"), value(user, "description"),
                each(entities, "hashtags", "text"), each(entities, "user_mentions", "screen_name"),
                each(entities, "urls", "expanded_url"), each(entities, "symbols", "text"),
                value(root.get("retweeted_status"), "id_str"));
    }

    private static String value(JsonNode parent, String field) {
        JsonNode node = parent == null || !parent.isObject() ? null : parent.get(field);
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        return node.isNumber() ? String.valueOf(node.numberValue()) : node.asText();
    }

    private static String[] each(JsonNode parent, String list, String item) {
        JsonNode elements = parent == null || !parent.isObject() ? null : parent.get(list);
        if (elements == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = elements.elements(); it.hasNext(); ) {
            JsonNode element = it.next();
            if (element.isObject() && element.has(item)) {
                out.add(value(element, item));
            }
        }
        return out.toArray(new String[0]);
    }

    private static long tokens(String tweet) throws Exception {
        long count = 0;
        try (JsonParser parser = MAPPER.getFactory().createParser(tweet)) {
            while (parser.nextToken() != null) {
                count++;
            }
        }
        return count;
    }
}
