package tweetflow.flink.elasticsearch;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * The options of the 'tweetflow-elasticsearch' connector. Those the upstream 'elasticsearch-8'
 * connector also has (FLINK-38447) carry its names and meanings, so that moving to it, once it
 * is released, is a change of the connector name in DDL; the rest are tweetflow's own
 * (backoff under the names the 'elasticsearch-7' connector gave them, API keys, dead letters).
 */
public final class ElasticsearchOptions {

    private ElasticsearchOptions() {}

    public static final ConfigOption<List<String>> HOSTS =
            ConfigOptions.key("hosts").stringType().asList().noDefaultValue()
                    .withDescription("Elasticsearch URLs, e.g. 'https://es1:9200;https://es2:9200'.");

    public static final ConfigOption<String> INDEX =
            ConfigOptions.key("index").stringType().noDefaultValue()
                    .withDescription("The index of every row: fixed, or '{field}' /"
                            + " '{field|date pattern}' for an index per value or per day.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username").stringType().noDefaultValue()
                    .withDescription("Basic authentication user.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password").stringType().noDefaultValue()
                    .withDescription("Basic authentication password.");

    public static final ConfigOption<String> API_KEY =
            ConfigOptions.key("api-key").stringType().noDefaultValue()
                    .withDescription("An encoded Elasticsearch API key, sent as"
                            + " 'Authorization: ApiKey ...' (instead of username and password).");

    public static final ConfigOption<String> KEY_DELIMITER =
            ConfigOptions.key("document-id.key-delimiter").stringType().defaultValue("_")
                    .withDescription("Joins the primary key's fields into the document id.");

    public static final ConfigOption<Integer> BULK_MAX_ACTIONS =
            ConfigOptions.key("sink.bulk-flush.max-actions").intType().defaultValue(1000)
                    .withDescription("Most documents in one bulk request.");

    public static final ConfigOption<Integer> BULK_MAX_BUFFERED_ACTIONS =
            ConfigOptions.key("sink.bulk-flush.max-buffered-actions").intType()
                    .defaultValue(10000)
                    .withDescription("Most documents buffered per writer before it"
                            + " back-pressures the job.");

    public static final ConfigOption<Integer> BULK_MAX_IN_FLIGHT =
            ConfigOptions.key("sink.bulk-flush.max-in-flight-actions").intType().defaultValue(1)
                    .withDescription("Bulk requests in flight per writer. 1 keeps every"
                            + " document's updates in order; more may reorder two updates of"
                            + " one document.");

    public static final ConfigOption<MemorySize> BULK_MAX_SIZE =
            ConfigOptions.key("sink.bulk-flush.max-size").memoryType()
                    .defaultValue(MemorySize.parse("2mb"))
                    .withDescription("Largest bulk request body.");

    public static final ConfigOption<Duration> BULK_INTERVAL =
            ConfigOptions.key("sink.bulk-flush.interval").durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("Longest a document waits in the buffer.");

    public static final ConfigOption<String> BACKOFF_STRATEGY =
            ConfigOptions.key("sink.bulk-flush.backoff.strategy").stringType()
                    .defaultValue("EXPONENTIAL")
                    .withDescription("CONSTANT or EXPONENTIAL delays between retries of a bulk"
                            + " request Elasticsearch could not take (unreachable, 429, 5xx).");

    public static final ConfigOption<Integer> BACKOFF_MAX_RETRIES =
            ConfigOptions.key("sink.bulk-flush.backoff.max-retries").intType().defaultValue(10)
                    .withDescription("Retries of one document before the job fails (and"
                            + " restarts by its restart strategy).");

    public static final ConfigOption<Duration> BACKOFF_DELAY =
            ConfigOptions.key("sink.bulk-flush.backoff.delay").durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription("The first retry's delay; EXPONENTIAL doubles it per"
                            + " retry, up to 10 s.");

    public static final ConfigOption<String> DEAD_LETTER_INDEX =
            ConfigOptions.key("sink.dead-letter-index").stringType().noDefaultValue()
                    .withDescription("Where a document Elasticsearch rejects (a 4xx of its own:"
                            + " a mapping conflict, an id too long) is written, with the reason;"
                            + " without it the rejection is logged. Counted either way.");

    public static final ConfigOption<String> PATH_PREFIX =
            ConfigOptions.key("connection.path-prefix").stringType().noDefaultValue()
                    .withDescription("Prefix of every request's path (behind a proxy).");

    public static final ConfigOption<Duration> CONNECTION_TIMEOUT =
            ConfigOptions.key("connection.timeout").durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Timeout for establishing a connection.");

    public static final ConfigOption<Duration> SOCKET_TIMEOUT =
            ConfigOptions.key("socket.timeout").durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Timeout for a bulk request's response.");

    public static final ConfigOption<String> FORMAT =
            ConfigOptions.key("format").stringType().defaultValue("json")
                    .withDescription("The format of the documents; must produce JSON objects.");
}
