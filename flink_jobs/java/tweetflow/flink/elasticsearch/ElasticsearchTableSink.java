package tweetflow.flink.elasticsearch;

import java.util.function.Function;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.RowKind;

/**
 * A table written to Elasticsearch: upserts and deletes by primary key when it has one
 * (UPDATE_BEFORE is not needed: the UPDATE_AFTER overwrites the document), appends otherwise.
 */
final class ElasticsearchTableSink implements DynamicTableSink {

    private final EncodingFormat<SerializationSchema<RowData>> format;
    private final DataType physicalRow;
    private final boolean keyed;
    private final Function<SerializationSchema<RowData>, ElasticsearchSink> sink;

    ElasticsearchTableSink(EncodingFormat<SerializationSchema<RowData>> format,
            DataType physicalRow, boolean keyed,
            Function<SerializationSchema<RowData>, ElasticsearchSink> sink) {
        this.format = format;
        this.physicalRow = physicalRow;
        this.keyed = keyed;
        this.sink = sink;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requested) {
        if (!keyed) {
            return ChangelogMode.insertOnly();
        }
        ChangelogMode.Builder mode = ChangelogMode.newBuilder();
        for (RowKind kind : requested.getContainedKinds()) {
            if (kind != RowKind.UPDATE_BEFORE) {
                mode.addContainedKind(kind);
            }
        }
        return mode.build();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        return SinkV2Provider.of(sink.apply(format.createRuntimeEncoder(context, physicalRow)));
    }

    @Override
    public DynamicTableSink copy() {
        return new ElasticsearchTableSink(format, physicalRow, keyed, sink);
    }

    @Override
    public String asSummaryString() {
        return ElasticsearchTableFactory.IDENTIFIER;
    }
}
