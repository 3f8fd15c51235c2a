package tweetflow.flink.elasticsearch;

import java.io.Serializable;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;

/**
 * A row's index: the 'index' option as written, or with one '{field}' or '{field|pattern}'
 * replaced by the row's value, a time field formatted by the date pattern (TIMESTAMP_LTZ in
 * the session time zone), as Flink's Elasticsearch connectors do.
 */
final class IndexNames implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Pattern FIELD = Pattern.compile("\\{([^{}|]+)(?:\\|([^{}]*))?}");

    private final String prefix;
    private final String suffix;
    private final int position;
    private final LogicalType type;
    private final String pattern;
    private final String zone;
    private transient DateTimeFormatter formatter;
    private transient RowData.FieldGetter getter;

    IndexNames(String index, List<String> names, List<LogicalType> types, ZoneId zone) {
        Matcher matcher = FIELD.matcher(index);
        if (!matcher.find()) {
            this.prefix = index;
            this.suffix = "";
            this.position = -1;
            this.type = null;
            this.pattern = null;
            this.zone = zone.getId();
            return;
        }
        this.prefix = index.substring(0, matcher.start());
        this.suffix = index.substring(matcher.end());
        if (FIELD.matcher(suffix).find()) {
            throw new ValidationException("index '" + index + "': one {field} at most");
        }
        this.position = names.indexOf(matcher.group(1).strip());
        if (position < 0) {
            throw new ValidationException("index '" + index + "': no column '"
                    + matcher.group(1).strip() + "' in " + names);
        }
        this.type = types.get(position);
        this.pattern = matcher.group(2);
        this.zone = zone.getId();
        if (pattern != null && !isTime(type.getTypeRoot())) {
            throw new ValidationException("index '" + index + "': a date pattern needs a DATE or"
                    + " TIMESTAMP column, not " + types.get(position));
        }
        if (pattern != null) {
            DateTimeFormatter.ofPattern(pattern); // an invalid pattern fails the DDL, not a row
        }
    }

    private static boolean isTime(LogicalTypeRoot root) {
        return root == LogicalTypeRoot.DATE
                || root == LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE
                || root == LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE;
    }

    boolean isDynamic() {
        return position >= 0;
    }

    String of(RowData row) {
        if (position < 0) {
            return prefix;
        }
        if (row.isNullAt(position)) {
            throw new IllegalArgumentException("index " + prefix + "{...}" + suffix
                    + ": the row's field is NULL");
        }
        return prefix + value(row) + suffix;
    }

    private String value(RowData row) {
        if (pattern == null) {
            if (getter == null) {
                getter = RowData.createFieldGetter(type, position);
            }
            return String.valueOf(getter.getFieldOrNull(row));
        }
        if (formatter == null) {
            formatter = DateTimeFormatter.ofPattern(pattern);
        }
        switch (type.getTypeRoot()) {
            case DATE:
                return LocalDate.ofEpochDay(row.getInt(position)).format(formatter);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return timestamp(row).toLocalDateTime().format(formatter);
            default:
                return timestamp(row).toInstant().atZone(ZoneId.of(zone)).format(formatter);
        }
    }

    private TimestampData timestamp(RowData row) {
        return row.getTimestamp(position, LogicalTypeChecks.getPrecision(type));
    }
}
