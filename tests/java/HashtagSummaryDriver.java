import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.types.Row;

import tweetflow.flink.HashtagSummary;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;

/**
 * Drives HASHTAG_SUMMARY as Flink's sliced window aggregate does, without Flink: JSON lines
 * on stdin, a tweet each ({slice, hashtags, user_id, screen_name, followers}), accumulate into
 * one summary per slice; the slices merge, in slice order, into the window's summary, whose
 * value goes to stdout as JSON with the most counters any summary held, and whether its own
 * count of them was ever wrong (tests/integration/test_hashtag_summary.py).
 * Arguments: top, top_related, top_influencers, capacity, and transient_merges (optional,
 * false). The floor printed is the window's, or the slices' summed where the window kept them
 * as parts (then nothing was evicted at the window).
 */
public class HashtagSummaryDriver {
    public static void main(String[] args) throws Exception {
        int top = Integer.parseInt(args[0]), related = Integer.parseInt(args[1]);
        int influencers = Integer.parseInt(args[2]), capacity = Integer.parseInt(args[3]);
        boolean transientMerges = args.length > 4 && Boolean.parseBoolean(args[4]);
        ObjectMapper json = new ObjectMapper();
        HashtagSummary function = new HashtagSummary();
        TreeMap<Long, HashtagSummary.Summary> slices = new TreeMap<>();
        long held = 0;
        boolean miscounted = false;
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            JsonNode row = json.readTree(line);
            HashtagSummary.Summary summary =
                    slices.computeIfAbsent(
                            row.get("slice").asLong(), s -> function.createAccumulator());
            JsonNode tags = row.get("hashtags");
            String[] hashtags = new String[tags.size()];
            for (int i = 0; i < hashtags.length; i++) {
                hashtags[i] = tags.get(i).isNull() ? null : tags.get(i).asText();
            }
            function.accumulate(
                    summary, hashtags, text(row, "user_id"),
                    text(row, "screen_name"), row.get("followers").asLong(), top, related,
                    influencers, capacity, transientMerges);
            held = Math.max(held, summary.size());
            miscounted |= summary.held != summary.size();
        }
        long sliceFloors = 0;
        for (HashtagSummary.Summary slice : slices.values()) {
            sliceFloors += slice.floor;
        }
        HashtagSummary.Summary window = function.createAccumulator();
        for (HashtagSummary.Summary slice : slices.values()) {
            function.merge(window, List.of(slice));
            held = Math.max(held, window.size());
            miscounted |= window.held != window.size();
        }
        ObjectNode out = json.createObjectNode();
        out.put("held", held);
        out.put("miscounted", miscounted);
        out.put("floor", Math.max(window.floor, sliceFloors));
        out.put("window_copied", window.size()); // 0: its slices were read as parts
        ArrayNode rows = out.putArray("top");
        for (Row tag : function.getValue(window)) {
            ObjectNode node = rows.addObject();
            node.put("rn", (Integer) tag.getField(0));
            node.put("hashtag", (String) tag.getField(1));
            node.put("tweets", (Long) tag.getField(2));
            ArrayNode relatedRows = node.putArray("related");
            for (Row r : (Row[]) tag.getField(3)) {
                relatedRows.addArray().add((Integer) r.getField(0)).add((String) r.getField(1))
                        .add((Long) r.getField(2));
            }
            ArrayNode authorRows = node.putArray("influencers");
            for (Row a : (Row[]) tag.getField(4)) {
                authorRows.addArray().add((Integer) a.getField(0)).add((String) a.getField(1))
                        .add((String) a.getField(2)).add((Long) a.getField(3));
            }
        }
        System.out.write(json.writeValueAsBytes(out));
        System.out.flush();
    }

    private static String text(JsonNode row, String field) {
        JsonNode value = row.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
