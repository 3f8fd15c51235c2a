package tweetflow.flink;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonFactory;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonParser;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonToken;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.base.ParserBase;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.StringData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What Flink's JSON_VALUE and JSON_QUERY (lax mode, NULL on empty and on error) return for the
 * simple paths tweetflow reads, computed while streaming through the document once. Values
 * print as Flink 2.x's do: its mapper reads a fraction as a BigDecimal (1000.0, 1.767225600E+12,
 * -0.0 as 0.0, 1E+400 where a double would be Infinity) and writes an object's keys sorted.
 */
final class TweetJson {

    static final ObjectMapper MAPPER = new ObjectMapper(new JsonFactory())
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, true);

    private TweetJson() {}

    /**
     * A parser of a payload as SQL passes it: STRING as a String, BYTES as a byte[] (read as
     * UTF-8 without decoding the whole document first); null for NULL.
     */
    static JsonParser parser(Object payload) throws IOException {
        byte[] bytes = bytesParsed(payload);
        if (bytes != null) {
            return MAPPER.getFactory().createParser(bytes);
        }
        if (payload instanceof byte[] other) {
            return MAPPER.getFactory().createParser(decoded(other));
        }
        return payload == null ? null : MAPPER.getFactory().createParser((String) payload);
    }

    /** The bytes parser() reads as they are: a BYTES payload that starts as tweets do. */
    static byte[] bytesParsed(Object payload) {
        return payload instanceof byte[] bytes && startsAnObject(bytes) ? bytes : null;
    }

    /**
     * Whether Jackson reads these bytes as UTF-8, as Flink reads a STRING column: it takes a
     * byte-order mark or a zero byte among the first four for UTF-16 or UTF-32, which a
     * document opening with '{' and a byte that is not zero rules out. Tweets open so; any
     * other payload is read as its text.
     */
    private static boolean startsAnObject(byte[] bytes) {
        return bytes.length > 1 && bytes[0] == '{' && bytes[1] != 0;
    }

    /**
     * The text Flink gives a STRING column of these bytes: invalid UTF-8 becomes U+FFFD. A
     * parse of the bytes that fails (Jackson refuses an invalid byte where the text has
     * U+FFFD) is tried again on it, so a payload reads as its text does.
     */
    static String decoded(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * JSON_VALUE of the value at the parser's current token: a scalar's text; null for null or
     * a container, which is skipped.
     */
    private static String scalar(JsonParser parser, JsonToken token) throws Exception {
        switch (token) {
            case START_OBJECT:
            case START_ARRAY:
                parser.skipChildren();
                return null;
            case VALUE_NULL:
                return null;
            case VALUE_NUMBER_INT:
                // Jackson refuses leading zeros, so the digits print as their value does,
                // without converting them to a number and back; but for the sign of -0.
                String digits = parser.getText();
                return digits.equals("-0") ? "0" : digits;
            case VALUE_NUMBER_FLOAT:
                return parser.getDecimalValue().toString();
            default:
                return parser.getText();
        }
    }

    /**
     * scalar() as the string Flink keeps in a row. From a payload's bytes (input; null when the
     * parser reads text), a string without escapes and a whole number are their own UTF-8 in
     * the payload: taken as they stand, they are neither decoded into a Java String nor encoded
     * back when the row leaves the operator. Jackson still reads past them, and refuses the
     * payload if they are not valid UTF-8. A string with escapes is decoded as the payload's
     * text would read it.
     */
    static StringData scalarData(JsonParser parser, JsonToken token, byte[] input)
            throws Exception {
        if (input != null && token == JsonToken.VALUE_STRING) {
            int quote = tokenStart(parser);
            boolean escapes = false, ascii = true;
            int stop = input[quote] == '"' ? input.length : quote; // else: not where Jackson said
            for (int end = quote + 1; end < stop; end++) {
                if (input[end] == '"' && !escapes) {
                    return StringData.fromBytes(input, quote + 1, end - quote - 1);
                }
                if (input[end] == '"' && !ascii) {
                    return escapedText(input, quote, end);
                }
                if (input[end] == '"') {
                    break; // ASCII with escapes: Jackson decodes it as the text would read
                }
                escapes |= input[end] == '\\';
                ascii &= input[end] >= 0;
                end += input[end] == '\\' ? 1 : 0; // an escaped quote does not end it
            }
        } else if (input != null && token == JsonToken.VALUE_NUMBER_INT) {
            int start = tokenStart(parser), length = parser.getTextLength();
            boolean minusZero = length == 2 && input[start] == '-' && input[start + 1] == '0';
            if (!minusZero && (input[start] == '-' || Character.isDigit(input[start]))) {
                return StringData.fromBytes(input, start, length);
            }
        }
        String text = scalar(parser, token);
        return text == null ? null : StringData.fromString(text);
    }

    /**
     * A string with escapes and bytes beyond ASCII (input[quote..end], quotes included), read
     * as the payload's text reads it: decoded by Flink first (malformed UTF-8 as U+FFFD), then
     * its escapes by Jackson. Jackson decoding the bytes itself would take malformed sequences
     * such as overlong forms for characters.
     */
    private static StringData escapedText(byte[] input, int quote, int end) throws Exception {
        String quoted = StringData.fromBytes(input, quote, end - quote + 1).toString();
        try (JsonParser parser = MAPPER.getFactory().createParser(quoted)) {
            parser.nextToken();
            return StringData.fromString(parser.getText());
        }
    }

    /** Where the current token begins in the bytes: Jackson counts from its second byte. */
    private static int tokenStart(JsonParser parser) {
        return (int) ((ParserBase) parser).getTokenCharacterOffset() - 1;
    }

    /**
     * A list element's item as JSON_QUERY returns it: a scalar's text (scalarData), JSON of a
     * container.
     */
    static StringData itemData(JsonParser parser, JsonToken token, byte[] input)
            throws Exception {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            return StringData.fromString(
                    MAPPER.writeValueAsString(MAPPER.readValue(parser, Object.class)));
        }
        return scalarData(parser, token, input);
    }

    /**
     * JSON_QUERY(doc, '$.list[*].item' RETURNING ARRAY<STRING>) on a parsed list: the item of
     * every object among its elements (an array's, or an object's values, as the wildcard
     * takes them), objects without it skipped, nested values as JSON.
     */
    static GenericArrayData each(Object elements, String item) throws Exception {
        Collection<?> values = elements instanceof Map
                ? ((Map<?, ?>) elements).values()
                : elements instanceof List ? (List<?>) elements : List.of();
        List<StringData> out = new ArrayList<>();
        for (Object element : values) {
            if (element instanceof Map && ((Map<?, ?>) element).containsKey(item)) {
                String text = valueText(((Map<?, ?>) element).get(item));
                out.add(text == null ? null : StringData.fromString(text));
            }
        }
        return new GenericArrayData(out.toArray());
    }

    /** Values as MAPPER reads them (maps, lists, BigDecimal fractions), as Flink prints them. */
    private static String valueText(Object value) throws Exception {
        if (value == null) {
            return null;
        }
        if (value instanceof Map || value instanceof List) {
            return MAPPER.writeValueAsString(value);
        }
        return String.valueOf(value);
    }

    /**
     * JSON_VALUE(doc, '$.field') for a top-level field, read by streaming up to its first
     * occurrence, building nothing: the source computes every record's event time with it, and
     * tweets carry timestamp_ms near the start. Unlike JSON_VALUE, the first of duplicate keys
     * wins and what follows the field is not checked; TWEET_FIELDS still dead-letters such a
     * record, which at worst moves the watermark by a timestamp no later than the job allows.
     */
    static StringData topLevelValue(Object payload, String field) {
        try (JsonParser parser = parser(payload)) {
            if (parser == null || parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(parser.getCurrentName());
                JsonToken token = parser.nextToken();
                if (wanted) {
                    return token.isStructStart()
                            ? null
                            : scalarData(parser, token, bytesParsed(payload));
                }
                if (token.isStructStart()) {
                    parser.skipChildren();
                }
            }
            return null;
        } catch (Exception e) {
            if (payload instanceof byte[] bytes) {
                return topLevelValue(decoded(bytes), field);
            }
            return null; // not JSON before the field: JSON_VALUE's NULL ON ERROR
        }
    }
}
