import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import tweetflow.flink.TweetFields;
import tweetflow.flink.TweetTimestamp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tweets per second of each way to read a file of tweets (one JSON document per line), round
 * after round in one JVM; prints how many have an id_str by TWEET_FIELDS, then one JSON object per
 * round. The baselines: building Jackson's
 * tree of each tweet (how TWEET_FIELDS read tweets before it streamed) and walking its tokens
 * without keeping anything (the floor of any parse with this parser).
 */
public class ParseSpeed {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    interface Way {
        long read(String tweet) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        List<String> tweets = Files.readAllLines(Path.of(args[0]));
        int rounds = Integer.parseInt(args[1]);
        TweetFields fields = new TweetFields();
        TweetTimestamp timestamp = new TweetTimestamp();
        String[] names = {"tweet_fields", "tweet_timestamp", "jackson_tree", "jackson_tokens"};
        Way[] ways = {
            t -> fields.eval(t).hashCode(),
            t -> timestamp.eval(t).hashCode(),
            t -> MAPPER.readTree(t).size(),
            ParseSpeed::tokens,
        };
        long good = tweets.stream().filter(t -> fields.eval(t).getField(1) != null).count();
        System.out.println("{\"with_id\": " + good + "}"); // what the rounds read is tweets
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("{");
            for (int w = 0; w < ways.length; w++) {
                long began = System.nanoTime();
                for (String tweet : tweets) {
                    sink += ways[w].read(tweet);
                }
                double seconds = (System.nanoTime() - began) / 1e9;
                line.append(w == 0 ? "" : ", ").append('"').append(names[w]).append("\": ");
                line.append(String.format("%.1f", tweets.size() / seconds));
            }
            System.out.println(line.append("}"));
        }
        System.err.println("checksum " + sink); // the JIT must not drop the work
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
