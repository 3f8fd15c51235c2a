package tweetflow.flink.elasticsearch;

import java.io.Serializable;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Period;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.DistinctType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * A row's document id: its primary key's fields as text, joined by the key delimiter, exactly
 * as the Elasticsearch connectors of Flink write them (so ids survive a change of connector).
 */
final class DocumentIds implements Serializable {

    private static final long serialVersionUID = 1L;

    private interface Field extends Serializable {
        String text(RowData row);
    }

    private final Field[] fields;
    private final String delimiter;

    DocumentIds(List<Integer> positions, List<LogicalType> types, String delimiter) {
        this.fields = new Field[positions.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = field(positions.get(i), types.get(i));
        }
        this.delimiter = delimiter;
    }

    /** The id, or null without a primary key. */
    String of(RowData row) {
        if (fields.length == 0) {
            return null;
        }
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                id.append(delimiter);
            }
            id.append(fields[i].text(row));
        }
        return id.toString();
    }

    private static Field field(int index, LogicalType type) {
        switch (type.getTypeRoot()) {
            case DATE:
                return row -> LocalDate.ofEpochDay(row.getInt(index)).toString();
            case TIME_WITHOUT_TIME_ZONE:
                return row -> LocalTime.ofNanoOfDay(row.getInt(index) * 1_000_000L).toString();
            case INTERVAL_YEAR_MONTH:
                return row -> Period.ofDays(row.getInt(index)).toString();
            case INTERVAL_DAY_TIME:
                return row -> Duration.ofMillis(row.getLong(index)).toString();
            case DISTINCT_TYPE:
                return field(index, ((DistinctType) type).getSourceType());
            default:
                RowData.FieldGetter getter = RowData.createFieldGetter(type, index);
                return row -> String.valueOf(getter.getFieldOrNull(row));
        }
    }
}
