package tweetflow.flink.elasticsearch;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.table.data.RowData;

/** BulkSink on Flink 1.x, whose Sink still declares the old createWriter. */
final class ElasticsearchSink extends BulkSink {

    private static final long serialVersionUID = 1L;

    ElasticsearchSink(RowToOperation converter, BulkLimits limits, Endpoint endpoint,
            Retries retries, String deadLetterIndex) {
        super(converter, limits, endpoint, retries, deadLetterIndex);
    }

    @Override
    @Deprecated
    public SinkWriter<RowData> createWriter(Sink.InitContext context) {
        throw new UnsupportedOperationException("Flink 1.19+ creates writers from a"
                + " WriterInitContext");
    }
}
