package tweetflow.flink.elasticsearch;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.table.data.RowData;

/** A changelog row as a bulk action: inserts and updates index the document, deletes delete it. */
final class RowToOperation implements ElementConverter<RowData, BulkOperation> {

    private static final long serialVersionUID = 1L;

    private final SerializationSchema<RowData> documents;
    private final DocumentIds ids;
    private final IndexNames indexes;

    RowToOperation(SerializationSchema<RowData> documents, DocumentIds ids, IndexNames indexes) {
        this.documents = documents;
        this.ids = ids;
        this.indexes = indexes;
    }

    /** Called by the writer: the format's serializer needs opening on the task. */
    void open(SerializationSchema.InitializationContext context) throws Exception {
        documents.open(context);
    }

    @Override
    public BulkOperation apply(RowData row, SinkWriter.Context context) {
        switch (row.getRowKind()) {
            case INSERT:
            case UPDATE_AFTER:
                return new BulkOperation(indexes.of(row), ids.of(row), documents.serialize(row));
            case DELETE:
                return new BulkOperation(indexes.of(row), ids.of(row), null);
            default:
                throw new IllegalStateException("unexpected " + row.getRowKind() + " row");
        }
    }
}
