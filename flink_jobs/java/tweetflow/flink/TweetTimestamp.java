package tweetflow.flink;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * TWEET_TIMESTAMP(payload): JSON_VALUE(payload, '$.timestamp_ms') read by streaming to the
 * field's first occurrence, building nothing (TweetJson.topLevelValue says where the two can
 * differ); the source computes every record's event time with it.
 */
public class TweetTimestamp extends ScalarFunction {

    public @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData eval(
            String payload) {
        return TweetJson.topLevelValue(payload, "timestamp_ms");
    }

    /** The payload as Kafka holds it: parsed from its UTF-8 bytes, never decoded whole. */
    public @DataTypeHint(value = "STRING", bridgedTo = StringData.class) StringData eval(
            byte[] payload) {
        return TweetJson.topLevelValue(payload, "timestamp_ms");
    }
}
