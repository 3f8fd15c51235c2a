import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ArrayNode;

import tweetflow.flink.Trend;
import tweetflow.flink.TrendKeys;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Drives TRENDING's rule and TREND_KEYS without Flink (tests/integration/test_trend_java.py).
 * "rule span min_authors enter exit": JSON lines on stdin, each a key's authors per bucket in
 * order ({"authors": [...], "seed": bool}), through Trend.Rule.step a bucket at a time; out,
 * per line, [phase, score, baseline, peak, since] per bucket. "keys stop_words": JSON lines
 * ({"text": ..., "hashtags": [...]}); out, per line, TREND_KEYS' array.
 */
public class TrendDriver {
    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        if (args[0].equals("rule")) {
            Trend.Rule rule = new Trend.Rule(Integer.parseInt(args[1]), Long.parseLong(args[2]),
                    Double.parseDouble(args[3]), Double.parseDouble(args[4]));
            for (String line; (line = in.readLine()) != null; ) {
                JsonNode series = json.readTree(line);
                boolean seed = series.get("seed").asBoolean();
                Trend trend = new Trend();
                ArrayNode steps = json.createArrayNode();
                long end = 60_000L;
                for (JsonNode authors : series.get("authors")) {
                    rule.step(trend, authors.asLong(), end, seed && end == 60_000L);
                    ArrayNode step = steps.addArray();
                    step.add(Trend.phaseName(trend.phase)).add(rule.score()).add(rule.baseline())
                            .add(trend.peak).add(trend.since);
                    end += 60_000L;
                }
                out.append(json.writeValueAsString(steps)).append('\n');
            }
        } else {
            TrendKeys keys = new TrendKeys();
            for (String line; (line = in.readLine()) != null; ) {
                JsonNode tweet = json.readTree(line);
                String[] hashtags = new String[tweet.get("hashtags").size()];
                for (int i = 0; i < hashtags.length; i++) {
                    hashtags[i] = tweet.get("hashtags").get(i).asText();
                }
                out.append(json.writeValueAsString(
                        keys.eval(tweet.get("text").asText(), hashtags, args[1]))).append('\n');
            }
        }
        System.out.print(out);
    }
}
