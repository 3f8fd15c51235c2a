package tweetflow.flink;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.dataview.MapView;
import org.apache.flink.table.catalog.DataTypeFactory;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.functions.ProcessTableFunction;
import org.apache.flink.table.functions.TableSemantics;
import org.apache.flink.table.types.AtomicDataType;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.inference.StateTypeStrategy;
import org.apache.flink.table.types.inference.StaticArgument;
import org.apache.flink.table.types.inference.StaticArgumentTrait;
import org.apache.flink.table.types.inference.TypeInference;
import org.apache.flink.table.types.inference.TypeStrategies;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.TimestampKind;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The duplicate filter: FIRST_SEEN(tweets => TABLE received_tweets PARTITION BY id_bucket,
 * horizon => '5 min') passes on each tweet whose id_str its partition has not seen, without the
 * partition column.
 *
 * <p>A repeat of a tweet carries the tweet's own timestamp, so it lands in the partition of the
 * first copy: a partition holds the ids of one minute of event time (of one of 128 shards). One
 * event-time timer per partition, at the minute's end plus the horizon, forgets the whole
 * partition at once. Flink SQL's own filter (ROW_NUMBER over the id) keeps one state entry per
 * id under the job's processing-time TTL, whose clean-up visits stored entries on every access
 * (in a profile of the peer queries, 15% of the CPU samples, 9.5 of them the clean-up), and a
 * catch-up held every id it read within that TTL, however much event time that spanned.
 *
 * <p>No on_time argument: Flink 2.2 drops a row whose on_time is behind the watermark before
 * eval sees it, and late tweets must reach late_tweets (2.3 no longer drops them). Timers and
 * the watermark work without it; event_time is declared a time attribute of the output.
 *
 * <p>The table argument is declared with the exact row of received_tweets, bridged to RowData:
 * Flink 2.2 hands a table whose type is left open to the function as an external Row,
 * converting every field (the payload included) on the way in and out. A change to the view's
 * columns must be made here too; the planner refuses the job with both rows named otherwise.
 */
public class FirstSeen extends ProcessTableFunction<RowData> {

    /** The row of sql/views/received_tweets.sql, column for column. */
    static final String RECEIVED_TWEETS = "ROW<id_str STRING, event_time TIMESTAMP_LTZ(3),"
            + " timestamp_ms BIGINT, tweet_text STRING, lang STRING NOT NULL, user_id STRING,"
            + " screen_name STRING, user_name STRING, followers_count BIGINT NOT NULL,"
            + " friends_count BIGINT NOT NULL, statuses_count BIGINT NOT NULL,"
            + " verified BOOLEAN NOT NULL, location STRING, description STRING,"
            + " hashtags ARRAY<STRING>, mentions ARRAY<STRING>, urls ARRAY<STRING>,"
            + " cashtags ARRAY<STRING>, is_retweet BOOLEAN NOT NULL, payload BYTES,"
            + " id_bucket BIGINT>";

    private static final long MINUTE_MS = 60_000L;
    private static final String EVENT_TIME = "event_time";

    // event_time leaves as the time attribute it came in as: rows keep their event time and
    // order against the watermarks, which the operator forwards, as a projection would.
    private static final DataType ROWTIME =
            new AtomicDataType(new LocalZonedTimestampType(true, TimestampKind.ROWTIME, 3));

    private transient ProjectedRowData withoutPartition;
    private transient int idColumn;
    private transient int timeColumn;
    private transient String horizonText;
    private transient long horizonMs;

    public void eval(Context ctx, MapView<StringData, Boolean> seen, RowData tweets,
            String horizon) throws Exception {
        if (withoutPartition == null) {
            TableSemantics semantics = ctx.tableSemanticsFor("tweets");
            List<String> names = DataType.getFieldNames(semantics.dataType());
            withoutPartition = ProjectedRowData.from(
                    kept(semantics.dataType(), semantics.partitionByColumns()));
            idColumn = names.indexOf("id_str");
            timeColumn = names.indexOf(EVENT_TIME);
        }
        if (!horizon.equals(horizonText)) {
            horizonMs = TimeUtils.parseDuration(horizon).toMillis();
            horizonText = horizon;
        }
        StringData id = tweets.getString(idColumn);
        if (seen.contains(id)) {
            return;
        }
        if (seen.isEmpty()) {
            long time = tweets.getTimestamp(timeColumn, 3).getMillisecond();
            long minuteEnd = (Math.floorDiv(time, MINUTE_MS) + 1) * MINUTE_MS;
            ctx.timeContext(Long.class).registerOnTime(minuteEnd + horizonMs);
        }
        // The id points into the input's buffer, which the next record overwrites: keep a copy.
        seen.put(((BinaryStringData) id).copy(), Boolean.TRUE);
        collect(withoutPartition.replaceRow(tweets));
    }

    public void onTimer(MapView<StringData, Boolean> seen) {
        // Not ctx.clearAll(): in Flink 2.2 that empties some other partition than the timer's
        // (seen in tests/integration/test_late_events.py); the fired timer is gone already.
        seen.clear();
    }

    /** The positions of the columns that are not partition columns. */
    static int[] kept(DataType row, int[] partitionBy) {
        List<Integer> keys = IntStream.of(partitionBy).boxed().toList();
        return IntStream.range(0, DataType.getFieldCount(row))
                .filter(i -> !keys.contains(i))
                .toArray();
    }

    @Override
    public TypeInference getTypeInference(DataTypeFactory types) {
        LinkedHashMap<String, StateTypeStrategy> state = new LinkedHashMap<>();
        // TTL zero: no per-entry TTL in the state's layout; the timer forgets the partition.
        state.put("seen", StateTypeStrategy.of(TypeStrategies.explicit(MapView.newMapViewDataType(
                DataTypes.STRING().notNull().bridgedTo(StringData.class), DataTypes.BOOLEAN())),
                Duration.ZERO));
        return TypeInference.newBuilder()
                .staticArguments(
                        StaticArgument.table("tweets",
                                types.createDataType(RECEIVED_TWEETS).bridgedTo(RowData.class),
                                false,
                                EnumSet.of(StaticArgumentTrait.TABLE,
                                        StaticArgumentTrait.SET_SEMANTIC_TABLE)),
                        StaticArgument.scalar("horizon", DataTypes.STRING().notNull(), false))
                .stateTypeStrategies(state)
                .outputTypeStrategy(call -> call.getTableSemantics(0).map(semantics -> {
                    DataType input = semantics.dataType();
                    List<String> names = DataType.getFieldNames(input);
                    List<DataType> fields = DataType.getFieldDataTypes(input);
                    return DataTypes.ROW(IntStream.of(kept(input, semantics.partitionByColumns()))
                                    .mapToObj(i -> DataTypes.FIELD(names.get(i),
                                            names.get(i).equals(EVENT_TIME)
                                                    ? ROWTIME : fields.get(i)))
                                    .toArray(DataTypes.Field[]::new))
                            .bridgedTo(RowData.class);
                }))
                .build();
    }
}
