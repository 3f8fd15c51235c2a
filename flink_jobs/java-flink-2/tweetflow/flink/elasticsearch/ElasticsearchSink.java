package tweetflow.flink.elasticsearch;

/** BulkSink on Flink 2.x, whose Sink creates writers from a WriterInitContext only. */
final class ElasticsearchSink extends BulkSink {

    private static final long serialVersionUID = 1L;

    ElasticsearchSink(RowToOperation converter, BulkLimits limits, Endpoint endpoint,
            Retries retries, String deadLetterIndex) {
        super(converter, limits, endpoint, retries, deadLetterIndex);
    }
}
