package tweetflow.flink.elasticsearch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;

/**
 * The sink of the 'tweetflow-elasticsearch' tables, on Flink's async sink base (batching by
 * count, bytes and time; bounded buffer and requests in flight).
 */
final class ElasticsearchSink extends AsyncSinkBase<RowData, BulkOperation> {

    private static final long serialVersionUID = 1L;

    private final Endpoint endpoint;
    private final Retries retries;
    private final String deadLetterIndex;
    private final String table;

    /** table: the SQL table it writes, the label of its metrics. */
    ElasticsearchSink(RowToOperation converter, BulkLimits limits, Endpoint endpoint, Retries retries,
            String deadLetterIndex, String table) {
        super(converter, limits.maxActions, limits.maxInFlight, limits.maxBuffered,
                limits.maxBytes, limits.intervalMs, limits.maxBytes);
        this.endpoint = endpoint;
        this.retries = retries;
        this.deadLetterIndex = deadLetterIndex;
        this.table = table;
    }

    public BulkWriter createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    public BulkWriter restoreWriter(WriterInitContext context,
            Collection<BufferedRequestState<BulkOperation>> state) throws IOException {
        AsyncSinkWriterConfiguration configuration = AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .build();
        return new BulkWriter(context, (RowToOperation) getElementConverter(), configuration,
                endpoint, retries, deadLetterIndex, table, state);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<BulkOperation>>
            getWriterStateSerializer() {
        return new AsyncSinkWriterStateSerializer<>() {
            @Override
            protected void serializeRequestToStream(BulkOperation operation,
                    DataOutputStream out) throws IOException {
                operation.writeTo(out);
            }

            @Override
            protected BulkOperation deserializeRequestFromStream(long size, DataInputStream in)
                    throws IOException {
                return BulkOperation.readFrom(in);
            }

            @Override
            public int getVersion() {
                return 1;
            }
        };
    }
}
