package tweetflow.flink.elasticsearch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.table.data.RowData;
import tweetflow.flink.Tally;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends buffered actions as bulk requests, one request in flight by default so that each
 * document's updates arrive in order. What Elasticsearch could not take (unreachable, 429,
 * 5xx, whole request or single items) is sent again after a backoff, in its place at the head
 * of the buffer, while the job is back-pressured; past the retry limit the job fails. A
 * document Elasticsearch rejects for itself (any other 4xx) is counted and dead-lettered, and
 * the writer goes on. Every checkpoint waits for the buffer to drain (AsyncSinkWriter), so
 * what a checkpoint covers is in Elasticsearch: at-least-once, exact with deterministic ids.
 */
final class BulkWriter extends AsyncSinkWriter<RowData, BulkOperation> {

    private static final Logger LOG = LoggerFactory.getLogger(BulkWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ERROR_BODY_CHARS = 500;

    private final Endpoint endpoint;
    private final Retries retries;
    private final String deadLetterIndex;
    private final HttpClient client;
    private final ScheduledExecutorService delays;
    private final Counter rejected;
    private final Counter retried;
    private final Counter written;
    private final Counter refused;
    private int hostTurn;

    BulkWriter(WriterInitContext context, RowToOperation converter,
            AsyncSinkWriterConfiguration configuration, Endpoint endpoint, Retries retries,
            String deadLetterIndex, String table,
            Collection<BufferedRequestState<BulkOperation>> state) {
        super(converter, context, configuration, state);
        try {
            converter.open(context.asSerializationSchemaInitializationContext());
        } catch (Exception e) {
            throw new IllegalStateException("the document format could not start", e);
        }
        this.endpoint = endpoint;
        this.retries = retries;
        this.deadLetterIndex = deadLetterIndex;
        this.client = endpoint.client();
        this.delays = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "elasticsearch-bulk-retries");
            thread.setDaemon(true);
            return thread;
        });
        this.rejected = context.metricGroup().counter("documentsRejected");
        this.retried = context.metricGroup().counter("documentsRetried");
        // The same, labelled by table beside tweetflow's other counters (Tally).
        MetricGroup result = context.metricGroup().addGroup(Tally.GROUP).addGroup("result", table);
        this.written = result.counter("documentsWritten");
        this.refused = result.counter("documentsRejected");
        this.hostTurn = context.getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    protected void submitRequestEntries(
            List<BulkOperation> operations, ResultHandler<BulkOperation> result) {
        String host = endpoint.host(hostTurn);
        byte[] body = body(operations);
        client.sendAsync(endpoint.bulk(host, body), HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((response, error) -> {
                    try {
                        if (error != null) {
                            hostTurn++;
                            sendAgain(operations, result, host + " unreachable: " + error);
                        } else {
                            answered(operations, response, host, result);
                        }
                    } catch (Exception e) {
                        result.completeExceptionally(e);
                    }
                });
    }

    private static byte[] body(List<BulkOperation> operations) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        for (BulkOperation operation : operations) {
            operation.appendTo(body);
        }
        return body.toByteArray();
    }

    private void answered(List<BulkOperation> operations, HttpResponse<byte[]> response,
            String host, ResultHandler<BulkOperation> result) throws IOException {
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            sendAgain(operations, result, host + " answered " + status + ": " + excerpt(response));
            return;
        }
        if (status == 401 || status == 403) {
            result.completeExceptionally(new IOException("Elasticsearch at " + host + " refused"
                    + " the credentials (" + status + "): check the table's 'username' and"
                    + " 'password' or 'api-key', and that the user may write to the index. "
                    + excerpt(response)));
            return;
        }
        if (status == 413) {
            result.completeExceptionally(new IOException("Elasticsearch at " + host + " refused a"
                    + " bulk request of " + response.request().bodyPublisher()
                            .map(p -> p.contentLength()).orElse(-1L)
                    + " bytes as too large (413): lower 'sink.bulk-flush.max-size'"));
            return;
        }
        if (status / 100 != 2) {
            result.completeExceptionally(new IOException("Elasticsearch at " + host
                    + " answered the bulk request " + status + ": " + excerpt(response)));
            return;
        }
        JsonNode answer = JSON.readTree(response.body());
        if (!answer.path("errors").asBoolean(false)) {
            countWritten(operations);
            result.complete();
            return;
        }
        List<BulkOperation> again = new ArrayList<>();
        List<BulkOperation> deadLetters = new ArrayList<>();
        String lastReason = null;
        Iterator<JsonNode> items = answer.path("items").elements();
        for (BulkOperation operation : operations) {
            JsonNode item = items.hasNext() ? firstValue(items.next()) : null;
            if (item == null) {
                throw new IOException("Elasticsearch at " + host + " answered "
                        + operations.size() + " actions with fewer items");
            }
            JsonNode error = item.get("error");
            if (error == null || error.isNull()) {
                countWritten(List.of(operation));
                continue;
            }
            int itemStatus = item.path("status").asInt(0);
            String reason = reason(error);
            if (itemStatus == 429 || itemStatus >= 500) {
                again.add(operation);
                lastReason = itemStatus + " " + reason;
            } else {
                rejected.inc();
                refused.inc();
                BulkOperation deadLetter = deadLetter(operation, itemStatus, reason);
                if (deadLetter != null) {
                    deadLetters.add(deadLetter);
                }
            }
        }
        if (!again.isEmpty()) {
            again.addAll(deadLetters);
            sendAgain(again, result, host + " could not take " + again.size() + " of "
                    + operations.size() + " documents: " + lastReason);
        } else if (!deadLetters.isEmpty()) {
            result.retryForEntries(deadLetters);
        } else {
            result.complete();
        }
    }

    /** Documents of this table Elasticsearch took (not its rejected ones, dead-lettered). */
    private void countWritten(List<BulkOperation> operations) {
        for (BulkOperation operation : operations) {
            if (!operation.index.equals(deadLetterIndex)) {
                written.inc();
            }
        }
    }

    private static JsonNode firstValue(JsonNode item) {
        Iterator<Map.Entry<String, JsonNode>> fields = item.fields();
        return fields.hasNext() ? fields.next().getValue() : null;
    }

    private static String reason(JsonNode error) {
        if (!error.isObject()) {
            return error.asText();
        }
        String reason = error.path("type").asText("error") + ": " + error.path("reason").asText("");
        JsonNode cause = error.path("caused_by");
        if (cause.isObject()) {
            reason += " (" + cause.path("type").asText("") + ": "
                    + cause.path("reason").asText("") + ")";
        }
        return reason;
    }

    /**
     * The rejected document for the dead-letter index, or null when it was itself a dead
     * letter or there is no such index: then the rejection is in the log, counted.
     */
    private BulkOperation deadLetter(BulkOperation operation, int status, String reason) {
        if (deadLetterIndex == null || operation.index.equals(deadLetterIndex)) {
            LOG.error("Elasticsearch rejected document {} of index {} ({}): {}", operation.id,
                    operation.index, status, reason);
            return null;
        }
        LOG.warn("Elasticsearch rejected document {} of index {} ({}): {}; written to {}",
                operation.id, operation.index, status, reason, deadLetterIndex);
        StringBuilder document = new StringBuilder(256);
        document.append("{\"index\":").append(Json.quoted(operation.index));
        if (operation.id != null) {
            document.append(",\"document_id\":").append(Json.quoted(operation.id));
        }
        document.append(",\"action\":").append(operation.isDelete() ? "\"delete\"" : "\"index\"");
        document.append(",\"status\":").append(status);
        document.append(",\"reason\":").append(Json.quoted(reason));
        if (!operation.isDelete()) {
            document.append(",\"document\":")
                    .append(Json.quoted(new String(operation.source, StandardCharsets.UTF_8)));
        }
        document.append(",\"rejected_at\":").append(Json.quoted(Instant.now().toString()));
        document.append('}');
        String id = operation.id == null ? null : digest(operation.index + "\0" + operation.id);
        return new BulkOperation(deadLetterIndex, id,
                document.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String digest(String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Back in the buffer's head after the backoff, or the job fails past the retry limit. */
    private void sendAgain(List<BulkOperation> operations, ResultHandler<BulkOperation> result,
            String why) {
        int attempts = 0;
        for (BulkOperation operation : operations) {
            attempts = Math.max(attempts, ++operation.attempts);
        }
        retried.inc(operations.size());
        if (retries.exhausted(attempts)) {
            result.completeExceptionally(new IOException("Elasticsearch could not take "
                    + operations.size() + " documents after " + retries.maxRetries
                    + " retries ('sink.bulk-flush.backoff.max-retries'): " + why));
            return;
        }
        long delay = retries.delayMs(attempts);
        if (attempts == 1 || attempts % 5 == 0) {
            LOG.warn("Elasticsearch: {}; sending {} documents again in {} ms (retry {} of {})",
                    why, operations.size(), delay, attempts, retries.maxRetries);
        }
        delays.schedule(() -> result.retryForEntries(operations), delay, TimeUnit.MILLISECONDS);
    }

    private static String excerpt(HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        return body.length() <= ERROR_BODY_CHARS ? body : body.substring(0, ERROR_BODY_CHARS) + "...";
    }

    @Override
    protected long getSizeInBytes(BulkOperation operation) {
        return operation.sizeInBytes();
    }

    @Override
    public void close() {
        delays.shutdownNow();
        super.close();
    }
}
