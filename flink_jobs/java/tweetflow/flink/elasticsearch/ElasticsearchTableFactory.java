package tweetflow.flink.elasticsearch;

import static tweetflow.flink.elasticsearch.ElasticsearchOptions.*;

import java.net.URI;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * 'connector' = 'tweetflow-elasticsearch': tweetflow's Elasticsearch sink for Flink
 * 2.x. It speaks the one bulk dialect Elasticsearch 7.17, 8.x, 9.x and OpenSearch share
 * (POST /_bulk, NDJSON, no _type), so one connector serves every server line.
 */
public final class ElasticsearchTableFactory implements DynamicTableSinkFactory {

    public static final String IDENTIFIER = "tweetflow-elasticsearch";

    /** Accepted for the upstream connector's DDL; at-least-once is what this sink gives. */
    static final ConfigOption<String> DELIVERY_GUARANTEE =
            ConfigOptions.key("sink.delivery-guarantee").stringType()
                    .defaultValue("at-least-once");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(HOSTS, INDEX);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(USERNAME, PASSWORD, API_KEY, KEY_DELIMITER, BULK_MAX_ACTIONS,
                BULK_MAX_BUFFERED_ACTIONS, BULK_MAX_IN_FLIGHT, BULK_MAX_SIZE, BULK_INTERVAL,
                BACKOFF_STRATEGY, BACKOFF_MAX_RETRIES, BACKOFF_DELAY, DEAD_LETTER_INDEX,
                PATH_PREFIX, CONNECTION_TIMEOUT, SOCKET_TIMEOUT, FORMAT, DELIVERY_GUARANTEE);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        EncodingFormat<SerializationSchema<RowData>> format =
                helper.discoverEncodingFormat(SerializationFormatFactory.class, FORMAT);
        helper.validate();
        ReadableConfig options = helper.getOptions();
        validate(options);

        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        List<String> names = new ArrayList<>();
        List<LogicalType> types = new ArrayList<>();
        for (Column column : schema.getColumns()) {
            if (column.isPhysical()) {
                names.add(column.getName());
                types.add(column.getDataType().getLogicalType());
            }
        }
        List<Integer> keyPositions = new ArrayList<>();
        List<LogicalType> keyTypes = new ArrayList<>();
        schema.getPrimaryKey().ifPresent(key -> {
            for (String column : key.getColumns()) {
                keyPositions.add(names.indexOf(column));
                keyTypes.add(types.get(names.indexOf(column)));
            }
        });
        String zone = context.getConfiguration().get(TableConfigOptions.LOCAL_TIME_ZONE);
        ZoneId zoneId = TableConfigOptions.LOCAL_TIME_ZONE.defaultValue().equals(zone)
                ? ZoneId.systemDefault() : ZoneId.of(zone);
        DocumentIds ids = new DocumentIds(keyPositions, keyTypes, options.get(KEY_DELIMITER));
        IndexNames indexes = new IndexNames(options.get(INDEX), names, types, zoneId);

        Endpoint endpoint = new Endpoint(options.get(HOSTS),
                options.getOptional(PATH_PREFIX).orElse(null),
                options.getOptional(USERNAME).orElse(null),
                options.getOptional(PASSWORD).orElse(null),
                options.getOptional(API_KEY).orElse(null),
                options.get(CONNECTION_TIMEOUT), options.get(SOCKET_TIMEOUT));
        BulkLimits limits = new BulkLimits(options.get(BULK_MAX_ACTIONS),
                options.get(BULK_MAX_IN_FLIGHT), options.get(BULK_MAX_BUFFERED_ACTIONS),
                options.get(BULK_MAX_SIZE).getBytes(), options.get(BULK_INTERVAL).toMillis());
        Retries retries = new Retries(options.get(BACKOFF_STRATEGY),
                options.get(BACKOFF_MAX_RETRIES), options.get(BACKOFF_DELAY));
        String deadLetters = options.getOptional(DEAD_LETTER_INDEX).orElse(null);
        String table = context.getObjectIdentifier().getObjectName();
        return new ElasticsearchTableSink(format, context.getPhysicalRowDataType(),
                !keyPositions.isEmpty(),
                documents -> new ElasticsearchSink(new RowToOperation(documents, ids, indexes),
                        limits, endpoint, retries, deadLetters, table));
    }

    private static void validate(ReadableConfig options) {
        for (String host : options.get(HOSTS)) {
            URI uri;
            try {
                uri = URI.create(host.strip());
            } catch (IllegalArgumentException e) {
                throw new ValidationException("'hosts': '" + host + "' is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || uri.getHost() == null) {
                throw new ValidationException("'hosts': '" + host + "' is not http(s)://host:port"
                        + " (several hosts are separated by ';')");
            }
        }
        if (options.get(INDEX).isBlank()) {
            throw new ValidationException("'index' is empty");
        }
        boolean basic = options.getOptional(USERNAME).filter(u -> !u.isEmpty()).isPresent();
        boolean key = options.getOptional(API_KEY).filter(k -> !k.isEmpty()).isPresent();
        if (basic && key) {
            throw new ValidationException("'username' and 'api-key' both set: use one");
        }
        if (!basic && options.getOptional(PASSWORD).filter(p -> !p.isEmpty()).isPresent()) {
            throw new ValidationException("'password' without 'username'");
        }
        String strategy = options.get(BACKOFF_STRATEGY).toUpperCase();
        if (!Set.of("CONSTANT", "EXPONENTIAL", "DISABLED").contains(strategy)) {
            throw new ValidationException("'sink.bulk-flush.backoff.strategy': one of CONSTANT,"
                    + " EXPONENTIAL, DISABLED");
        }
        String guarantee = options.get(DELIVERY_GUARANTEE).toLowerCase();
        if (!Set.of("at-least-once", "none").contains(guarantee)) {
            throw new ValidationException("'sink.delivery-guarantee': at-least-once (or none);"
                    + " Elasticsearch has no transactions for exactly-once: deterministic ids"
                    + " make at-least-once exact");
        }
        positive(options, BULK_MAX_ACTIONS);
        positive(options, BULK_MAX_IN_FLIGHT);
        positive(options, BULK_MAX_BUFFERED_ACTIONS);
        if (options.get(BACKOFF_MAX_RETRIES) < 0) {
            throw new ValidationException("'sink.bulk-flush.backoff.max-retries' is negative");
        }
    }

    private static void positive(ReadableConfig options, ConfigOption<Integer> option) {
        if (options.get(option) < 1) {
            throw new ValidationException("'" + option.key() + "' must be at least 1");
        }
    }
}
