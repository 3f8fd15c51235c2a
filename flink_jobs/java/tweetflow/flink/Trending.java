package tweetflow.flink;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.types.AtomicDataType;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.StateTypeStrategy;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.StaticArgumentTrait;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.TimestampKind;
import org.apache.flink.types.Row;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * TRENDING(counts => TABLE t PARTITION BY term, slide_s, span_buckets, min_authors,
 * enter_score, exit_score, memory_buckets): for each bucket (slide_s seconds of event time) in
 * which a key is trending, a row: bucket_time (the bucket's last millisecond, a time attribute),
 * phase, score, authors, tweets, baseline, peak, since (the end of the bucket it started
 * trending in). The partition column, term, comes first.
 * t has one row per key and bucket: term, window_time (the bucket's last millisecond), authors
 * (distinct, at least one) and tweets; Trend says how the score and the phase move.
 *
 * <p>A bucket without a row for the key counts 0 authors, when the key's next row comes: its
 * score is below 0, so a trend ends there and is not ranked in it. Each key has one timer,
 * memory_buckets after its last row, which forgets it: state is bounded by the keys seen in
 * that time, and a key back after that starts from a baseline of 0.
 *
 * <p>A job starts with every key new: the first bucket an instance counts after it starts
 * (most likely partial: the job started within it) is left out for keys it has no state of,
 * and the next one seeds their baselines (Trend.Rule.step); a key new after that starts from
 * 0. After a restore, only keys new in those two buckets are treated so.
 *
 * <p>No on_time argument, as FIRST_SEEN (Flink 2.2 would drop rows at the watermark); the rows
 * this emits carry their bucket's last millisecond, the input row's time, so a window over
 * bucket_time counts them in that bucket.
 */
public class Trending extends ProcessTableFunction<Row> {

    private static final String FORGET = "forget";
    private static final DataType ROWTIME =
            new AtomicDataType(new LocalZonedTimestampType(true, TimestampKind.ROWTIME, 3));

    private transient Trend.Rule rule;
    private transient long slideMs;
    private transient long memoryMs;
    private transient int timeColumn;
    private transient int authorsColumn;
    private transient int tweetsColumn;
    private transient long firstBucketEnd;

    public void eval(Context ctx, Trend trend, Row counts, Integer slideS, Integer spanBuckets,
            Integer minAuthors, Double enterScore, Double exitScore, Integer memoryBuckets) {
        if (rule == null) {
            rule = new Trend.Rule(spanBuckets, minAuthors, enterScore, exitScore);
            slideMs = slideS * 1000L;
            memoryMs = Math.max(memoryBuckets, 1) * slideMs;
            List<String> names =
                    DataType.getFieldNames(ctx.tableSemanticsFor("counts").dataType());
            timeColumn = names.indexOf("window_time");
            authorsColumn = names.indexOf("authors");
            tweetsColumn = names.indexOf("tweets");
        }
        long bucketEnd = ((Instant) counts.getField(timeColumn)).toEpochMilli() + 1;
        if (firstBucketEnd == 0L) {
            firstBucketEnd = bucketEnd;
        }
        if (trend.lastEnd != 0L && bucketEnd - trend.lastEnd > memoryMs) {
            // Its timer has not fired yet (the watermark jumped): forgotten all the same.
            trend.forget();
        }
        if (trend.lastEnd == 0L && bucketEnd <= firstBucketEnd) {
            ctx.clearState("trend"); // nothing kept, so no timer needed to forget it
            return;
        }
        // The buckets the key missed count 0 authors: a trend ends at the first (its score is
        // below 0), so no row is owed for them.
        if (trend.lastEnd != 0L) {
            for (long end = trend.lastEnd + slideMs; end < bucketEnd; end += slideMs) {
                rule.step(trend, 0L, end, false);
            }
        }
        long authors = (Long) counts.getField(authorsColumn);
        long tweets = (Long) counts.getField(tweetsColumn);
        boolean seed = bucketEnd == firstBucketEnd + slideMs;
        boolean trending = rule.step(trend, authors, bucketEnd, seed);
        ctx.timeContext(Long.class).registerOnTime(FORGET, bucketEnd + memoryMs - 1);
        if (trending) {
            collect(Row.of(Instant.ofEpochMilli(bucketEnd - 1), Trend.phaseName(trend.phase),
                    rule.score(), authors, tweets, rule.baseline(), trend.peak,
                    Instant.ofEpochMilli(trend.since)));
        }
    }

    public void onTimer(OnTimerContext ctx, Trend trend) {
        // Not ctx.clearAll() (Flink 2.2 empties another partition with it, see FirstSeen).
        ctx.clearState("trend");
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory types) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        // TTL zero: the timers forget a key, in event time.
        state.put("trend", StateTypeStrategy.of(
                TypeStrategies.explicit(types.createDataType(Trend.class)), Duration.ZERO));
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table("counts", Row.class, false,
                                EnumSet.of(StaticArgumentTrait.TABLE,
                                        StaticArgumentTrait.SET_SEMANTIC_TABLE)),
                        StaticArgument.scalar("slide_s", DataTypes.INT().notNull(), false),
                        StaticArgument.scalar("span_buckets", DataTypes.INT().notNull(), false),
                        StaticArgument.scalar("min_authors", DataTypes.INT().notNull(), false),
                        StaticArgument.scalar("enter_score", DataTypes.DOUBLE().notNull(), false),
                        StaticArgument.scalar("exit_score", DataTypes.DOUBLE().notNull(), false),
                        StaticArgument.scalar("memory_buckets", DataTypes.INT().notNull(), false))
                .stateTypeStrategies(state)
                .outputTypeStrategy(call -> java.util.Optional.of(DataTypes.ROW(
                        DataTypes.FIELD("bucket_time", ROWTIME),
                        DataTypes.FIELD("phase", DataTypes.STRING()),
                        DataTypes.FIELD("score", DataTypes.DOUBLE()),
                        DataTypes.FIELD("authors", DataTypes.BIGINT()),
                        DataTypes.FIELD("tweets", DataTypes.BIGINT()),
                        DataTypes.FIELD("baseline", DataTypes.DOUBLE()),
                        DataTypes.FIELD("peak", DataTypes.BIGINT()),
                        DataTypes.FIELD("since", DataTypes.TIMESTAMP_LTZ(3)))))
                .build();
    }
}
