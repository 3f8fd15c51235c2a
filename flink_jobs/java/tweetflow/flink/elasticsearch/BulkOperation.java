package tweetflow.flink.elasticsearch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * One action of a bulk request: index a document (source set) or delete one (source null).
 * The id is null for a table without a primary key (Elasticsearch chooses one).
 */
public final class BulkOperation implements Serializable {

    private static final long serialVersionUID = 1L;

    final String index;
    final String id;
    final byte[] source;
    /** Times Elasticsearch could not take it yet (unreachable, 429, 5xx). */
    int attempts;

    BulkOperation(String index, String id, byte[] source) {
        this.index = index;
        this.id = id;
        this.source = source;
    }

    boolean isDelete() {
        return source == null;
    }

    /** The action line and, for an index, the document line, as the bulk API reads them. */
    void appendTo(java.io.ByteArrayOutputStream body) {
        StringBuilder action = new StringBuilder(64);
        action.append(isDelete() ? "{\"delete\":{\"_index\":" : "{\"index\":{\"_index\":");
        Json.quote(index, action);
        if (id != null) {
            action.append(",\"_id\":");
            Json.quote(id, action);
        }
        action.append("}}\n");
        byte[] line = action.toString().getBytes(StandardCharsets.UTF_8);
        body.write(line, 0, line.length);
        if (!isDelete()) {
            body.write(source, 0, source.length);
            body.write('\n');
        }
    }

    long sizeInBytes() {
        return 48 + index.length() + (id == null ? 0 : id.length())
                + (source == null ? 0 : source.length);
    }

    void writeTo(DataOutputStream out) throws IOException {
        out.writeUTF(index);
        out.writeBoolean(id != null);
        if (id != null) {
            out.writeUTF(id);
        }
        out.writeInt(source == null ? -1 : source.length);
        if (source != null) {
            out.write(source);
        }
        out.writeInt(attempts);
    }

    static BulkOperation readFrom(DataInputStream in) throws IOException {
        String index = in.readUTF();
        String id = in.readBoolean() ? in.readUTF() : null;
        int length = in.readInt();
        byte[] source = null;
        if (length >= 0) {
            source = new byte[length];
            in.readFully(source);
        }
        BulkOperation operation = new BulkOperation(index, id, source);
        operation.attempts = in.readInt();
        return operation;
    }
}
